/**
 * The log start offset, kept on disk beside the epoch file: the first offset the log still
 * serves. Retention moves it forward (the leader decides it, followers learn it from fetch
 * responses); it is written BEFORE any segment below it is deleted, so after a crash in the
 * middle of a deletion Log.open finds the start and finishes the deletion (log-loader.ts).
 *
 * File `log-start-offset`, text: `0\n<offset>\n` (format version, then the offset). Replaced
 * whole and atomically (atomic-file.ts). A missing file means 0 (a log that never deleted
 * anything); an unreadable one is reported and treated as missing: the segments on disk then
 * say where the log starts.
 *
 * Concurrency: owned by Log; persist() runs only on the writer chain.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { writeFileAtomic } from './atomic-file';

export const LOG_START_FILE = 'log-start-offset';
const VERSION = 0;

export class LogStartFile {
  private constructor(
    readonly dir: string,
    private current: number,
  ) {}

  /** Reads the file; `damaged` names an unreadable one (it then counts as 0). */
  static load(dir: string): { file: LogStartFile; damaged: string | null } {
    const file = path.join(dir, LOG_START_FILE);
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch {
      return { file: new LogStartFile(dir, 0), damaged: null };
    }
    const offset = LogStartFile.parse(text);
    if (offset === null) return { file: new LogStartFile(dir, 0), damaged: `unreadable ${file}` };
    return { file: new LogStartFile(dir, offset), damaged: null };
  }

  static parse(text: string): number | null {
    const m = /^(\d+)\n(\d+)\n$/.exec(text);
    if (!m || Number(m[1]) !== VERSION) return null;
    const offset = Number(m[2]);
    return Number.isSafeInteger(offset) ? offset : null;
  }

  get offset(): number {
    return this.current;
  }

  /** Records `offset` as the start and makes it durable before resolving. */
  async persist(offset: number): Promise<void> {
    await writeFileAtomic(path.join(this.dir, LOG_START_FILE), `${VERSION}\n${offset}\n`);
    this.current = offset;
  }
}
