/**
 * Leader epoch file (KIP-101): which leader epoch started at which offset, so a follower of a
 * new leader can ask "where does my last epoch end on your log?" and cut its divergent tail.
 *
 * File `leader-epoch-checkpoint`, text, one field per line group (like Kafka's checkpoint):
 *   0                      format version
 *   N                      number of entries
 *   <epoch> <startOffset>  N lines, epochs strictly increasing, start offsets increasing
 * Replaced whole and atomically: written to `leader-epoch-checkpoint.tmp`, fsynced, renamed over
 * the old one, directory fsynced. A crash leaves either the old or the new file.
 *
 * The log writes the file *before* the data of a batch with a new epoch, so the file may name an
 * epoch whose data never landed; Log.open drops entries at or past the log end and adds epochs
 * it finds in the re-validated tail segment that the file lacks.
 *
 * Concurrency: owned by Log; persist() is only called from Log's writer chain.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { EpochEndOffset } from './log-store.interface';
import { writeFileAtomic } from './atomic-file';

export const EPOCH_FILE = 'leader-epoch-checkpoint';
const VERSION = 0;

export interface EpochEntry {
  epoch: number;
  startOffset: number;
}

export class EpochFile {
  private entries: EpochEntry[];

  private constructor(
    readonly dir: string,
    entries: EpochEntry[],
  ) {
    this.entries = entries;
  }

  /** Reads the file; a missing or unreadable one starts empty (`damaged` says which). */
  static load(dir: string): { file: EpochFile; damaged: string | null } {
    const file = path.join(dir, EPOCH_FILE);
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch {
      return { file: new EpochFile(dir, []), damaged: null };
    }
    const entries = EpochFile.parse(text);
    if (entries === null) return { file: new EpochFile(dir, []), damaged: `unreadable ${file}` };
    return { file: new EpochFile(dir, entries), damaged: null };
  }

  static parse(text: string): EpochEntry[] | null {
    const lines = text.split('\n').filter((l) => l.trim() !== '');
    if (lines.length < 2 || Number(lines[0]) !== VERSION) return null;
    const n = Number(lines[1]);
    if (!Number.isSafeInteger(n) || n < 0 || lines.length !== n + 2) return null;
    const entries: EpochEntry[] = [];
    for (const line of lines.slice(2)) {
      const m = /^(\d+) (\d+)$/.exec(line.trim());
      if (!m) return null;
      const entry = { epoch: Number(m[1]), startOffset: Number(m[2]) };
      const prev = entries[entries.length - 1];
      if (prev && (entry.epoch <= prev.epoch || entry.startOffset < prev.startOffset)) return null;
      entries.push(entry);
    }
    return entries;
  }

  get all(): readonly EpochEntry[] {
    return this.entries;
  }

  /** The latest epoch, -1 when none. */
  get latestEpoch(): number {
    return this.entries.length ? this.entries[this.entries.length - 1].epoch : -1;
  }

  /** Records that `epoch` starts at `startOffset`; false (no change) if not newer than the latest. */
  assign(epoch: number, startOffset: number): boolean {
    if (epoch <= this.latestEpoch) return false;
    this.entries.push({ epoch, startOffset });
    return true;
  }

  /** Forgets epochs that start at or after `offset` (the log was cut there). */
  truncateFromOffset(offset: number): boolean {
    const before = this.entries.length;
    this.entries = this.entries.filter((e) => e.startOffset < offset);
    return this.entries.length !== before;
  }

  /**
   * Forgets epochs wholly below the log start `offset` (retention deleted their messages): the
   * last epoch starting at or below it stays, moved to start at `offset` (Kafka's
   * truncateFromStart), so the epoch of every message still in the log is known.
   */
  truncateFromStart(offset: number): boolean {
    let last = -1;
    for (let i = 0; i < this.entries.length && this.entries[i].startOffset <= offset; i++) last = i;
    if (last < 0 || (last === 0 && this.entries[0].startOffset === offset)) return false;
    this.entries = [
      { epoch: this.entries[last].epoch, startOffset: offset },
      ...this.entries.slice(last + 1),
    ];
    return true;
  }

  /**
   * KIP-101: the largest known epoch <= `epoch`, and where it ends: the start offset of the next
   * known epoch, or `logEndOffset` when it is the latest. When the log knows no epoch <= the
   * requested one (empty log, or a request older than the first epoch) the answer is
   * `{ epoch: -1, endOffset: -1 }`: the follower has nothing in common and should truncate to 0.
   */
  endOffsetForEpoch(epoch: number, logEndOffset: number): EpochEndOffset {
    let lo = 0;
    let hi = this.entries.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (this.entries[mid].epoch <= epoch) {
        found = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    if (found < 0) return { epoch: -1, endOffset: -1 };
    const next = this.entries[found + 1];
    return { epoch: this.entries[found].epoch, endOffset: next ? next.startOffset : logEndOffset };
  }

  async persist(): Promise<void> {
    const body =
      [
        VERSION,
        this.entries.length,
        ...this.entries.map((e) => `${e.epoch} ${e.startOffset}`),
      ].join('\n') + '\n';
    await writeFileAtomic(path.join(this.dir, EPOCH_FILE), body);
  }
}
