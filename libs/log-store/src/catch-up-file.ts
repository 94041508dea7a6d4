/**
 * A replica's note to itself that it cut its log and has not yet fetched back what a leader
 * holds (apps/server's LogRepair and CatchUp): while the note exists it must not stand for
 * leader. Kept on disk so that a restart, the natural reaction to a replica that waits, does
 * not forget it: the HW checkpoint cannot carry it, since the cut may be above the HW this
 * replica knew while below what the leader had already acknowledged.
 *
 * File `catch-up`, text:
 *   0        format version
 *   <from>   the offset the log was cut back to
 *   <known>  the highest HW the replica knew at the cut
 * Written atomically (atomic-file.ts) before the cut, deleted once caught up; one write or
 * delete at a time, in call order. A file that does not parse is read as "cut at 0, knew 0"
 * (a warning says so): that still means "wait for a leader", which is always safe.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { syncDir, writeFileAtomic } from './atomic-file';

export const CATCH_UP_FILE = 'catch-up';
const VERSION = 0;

export interface PendingCatchUp {
  readonly from: number;
  readonly known: number;
}

/** The note in a file's text, or null when it is not one. */
export function parsePendingCatchUp(text: string): PendingCatchUp | null {
  const lines = text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '');
  if (lines.length !== 3 || lines[0] !== String(VERSION)) return null;
  const [from, known] = [Number(lines[1]), Number(lines[2])];
  if (![from, known].every((n) => Number.isSafeInteger(n) && n >= 0)) return null;
  if (!/^\d+$/.test(lines[1]) || !/^\d+$/.test(lines[2])) return null;
  return { from, known };
}

export class PendingCatchUpFile {
  private chain: Promise<void> = Promise.resolve();

  private constructor(
    private readonly file: string,
    private current: PendingCatchUp | null,
  ) {}

  static load(dir: string, warn: (line: string) => void): PendingCatchUpFile {
    const file = path.join(dir, CATCH_UP_FILE);
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
        return new PendingCatchUpFile(file, null);
      }
      throw error;
    }
    const parsed = parsePendingCatchUp(text);
    if (!parsed) {
      warn(
        `log-store: ${file} does not parse (${JSON.stringify(text.slice(0, 40))}); reading it as a cut at offset 0: the replica waits for a leader before standing for leader`,
      );
    }
    return new PendingCatchUpFile(file, parsed ?? { from: 0, known: 0 });
  }

  get value(): PendingCatchUp | null {
    return this.current;
  }

  /** Resolves once the note is on disk (file and directory fsynced). */
  record(value: PendingCatchUp): Promise<void> {
    this.current = value;
    return this.enqueue(() =>
      writeFileAtomic(this.file, `${VERSION}\n${value.from}\n${value.known}\n`),
    );
  }

  /** Resolves once the note is gone from disk. */
  clear(): Promise<void> {
    this.current = null;
    return this.enqueue(async () => {
      await fs.promises.rm(this.file, { force: true });
      await syncDir(path.dirname(this.file));
    });
  }

  private enqueue(task: () => Promise<void>): Promise<void> {
    const run = this.chain.then(task);
    this.chain = run.catch(() => undefined);
    return run;
  }
}
