/**
 * The high-watermark checkpoint (Kafka's replication-offset-checkpoint, for our one log): the
 * highest high watermark this replica has known, kept across restarts so that at the next start
 * it can tell whether its log still holds everything that was committed. A log that ends below
 * it lost committed messages (a corrupt tail cut by recovery, lost segment files), and such a
 * replica must not lead until it has fetched them again.
 *
 * File `high-watermark-checkpoint`: its bytes and their cheap rewrite in place are in
 * high-watermark-file.ts (two checksummed slots, one `pwrite` with O_DSYNC per write; version 0,
 * a text file replaced whole, is still read).
 *
 * Lazy on purpose: record() only notes the value; a timer writes it at most every `intervalMs`
 * (one write at a time), so the append path never waits for this file. The file therefore lags
 * the real HW by up to an interval, which is fine: the check needs a lower bound. close() writes
 * the latest value. The value only goes up: truncating the log does not lower it (that is what
 * lets the replica notice the loss).
 *
 * A missing file is 0 (a new log, or one from before the checkpoint existed). A file that does
 * not parse makes load() fail: a crash can tear at most the slot being written, never both, so
 * an unreadable file means a damaged disk or a hand edit, exactly when the log deserves suspicion; reading it as 0 would silently
 * switch off the check. The error says how to proceed (delete the file to start without it).
 *
 * Concurrency: owned by Log; its own timer and write chain, independent of the log's writer.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { logStoreErrors } from './errors';
import { HighWatermarkFile, parseHighWatermarkFile } from './high-watermark-file';
import type { SegmentLogger } from './segment';
import { describeError } from '@distilled/common';

export const HIGH_WATERMARK_FILE = 'high-watermark-checkpoint';
export const DEFAULT_HIGH_WATERMARK_CHECKPOINT_MS = 100;

export class HighWatermarkCheckpoint {
  /** The highest value recorded (or read at load). */
  private latest: number;
  /** The value the file holds. */
  private saved: number;
  private timer?: NodeJS.Timeout;
  private writing: Promise<void> | null = null;
  private closed = false;
  private lastError = '';

  private constructor(
    private readonly onDisk: HighWatermarkFile,
    value: number,
    private readonly intervalMs: number,
    private readonly logger: SegmentLogger,
  ) {
    this.latest = value;
    this.saved = value;
  }

  get file(): string {
    return this.onDisk.file;
  }

  /** Reads the checkpoint in `dir`: 0 when there is none; LogStoreError CORRUPT when unreadable. */
  static load(
    dir: string,
    logger: SegmentLogger,
    intervalMs = DEFAULT_HIGH_WATERMARK_CHECKPOINT_MS,
  ): HighWatermarkCheckpoint {
    const file = path.join(dir, HIGH_WATERMARK_FILE);
    let bytes: Buffer | null;
    try {
      bytes = fs.readFileSync(file);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      bytes = null;
    }
    const content = bytes === null ? null : parseHighWatermarkFile(bytes);
    if (bytes !== null && content === null) {
      throw logStoreErrors.corrupt(
        file,
        `not a high-watermark checkpoint (${JSON.stringify(bytes.toString('latin1', 0, 40))}); without it the replica cannot tell whether its log lost committed messages. Delete the file to start anyway, knowing that check is skipped this once`,
      );
    }
    return new HighWatermarkCheckpoint(
      new HighWatermarkFile(file, content),
      content?.value ?? 0,
      intervalMs,
      logger,
    );
  }

  /** The highest high watermark known: recorded since open, or read from the file. */
  get value(): number {
    return this.latest;
  }

  /** Notes `highWatermark`; lower values are ignored. Written by the timer, never awaited. */
  record(highWatermark: number): void {
    if (this.closed || !Number.isSafeInteger(highWatermark) || highWatermark <= this.latest) {
      return;
    }
    this.latest = highWatermark;
    this.schedule();
  }

  /** Stops the timer and writes the latest value (failures are logged, not thrown). */
  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.writing) await this.writing;
    await this.write();
    await this.onDisk.close();
  }

  private schedule(): void {
    if (this.timer || this.writing || this.closed) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.write();
    }, this.intervalMs);
    this.timer.unref();
  }

  private write(): Promise<void> {
    if (this.writing) return this.writing;
    const value = this.latest;
    if (value <= this.saved) return Promise.resolve();
    this.writing = (async () => {
      try {
        await this.onDisk.write(value);
        this.saved = Math.max(this.saved, value);
        this.lastError = '';
      } catch (error) {
        const message = describeError(error);
        // One line per distinct failure, not one per retry.
        if (message !== this.lastError) {
          this.logger.warn(`log-store: could not write ${this.file} (will retry): ${message}`);
        }
        this.lastError = message;
      } finally {
        this.writing = null;
      }
      if (this.latest > this.saved) this.schedule();
    })();
    return this.writing;
  }
}
