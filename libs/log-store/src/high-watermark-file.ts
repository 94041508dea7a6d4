/**
 * The bytes of the `high-watermark-checkpoint` file, and their rewrite in place. The checkpoint
 * is written up to 10 times a second on every replica, on the same disk as the log's
 * fdatasyncs. Replaced whole each time, it cost eight system calls on libuv's pool and two
 * fsyncs (a new file, its fsync, a rename, the directory's fsync: each fsync a device cache
 * flush with the inode's or directory's block, and on a journaled ext4 a journal commit).
 * Rewritten in place, a checkpoint is one `pwrite` on a descriptor opened with O_DSYNC: the
 * blocks are allocated and the size never changes, so only its data block and one flush reach
 * the disk.
 *
 * Version 1 (written now): 8192 bytes, two slots of 4096 bytes, each in its own page and
 * filesystem block, so a write to one never touches the other's block. A slot holds the text
 * `1 <hw> <crc>\n` (crc: CRC-32C of `1 <hw>`, 8 hex digits) and NUL bytes to its end. Each write
 * goes to the slot that does not hold the newest value; the file's value is the highest valid
 * slot's. A write torn by a crash therefore leaves the other slot, the previous checkpoint: a
 * lower bound of the HW, which is all the check at start needs. An invalid slot beside a valid
 * one is exactly what such a crash leaves, so it is read silently; no valid slot at all is
 * CORRUPT (a damaged disk or a hand edit).
 *
 * Version 0 (earlier builds): the text `0\n<hw>\n`, replaced whole (atomic-file.ts). Still read;
 * the first write after opening one replaces it, atomically, by a version-1 file.
 *
 * Concurrency: one write at a time (HighWatermarkCheckpoint serializes them).
 */
import * as fs from 'node:fs';
import { crc32c } from '@node-rs/crc32';
import { writeFileAtomic } from './atomic-file';

export const HIGH_WATERMARK_SLOT_BYTES = 4096;
const SLOTS = 2;
const FILE_BYTES = SLOTS * HIGH_WATERMARK_SLOT_BYTES;
const SLOT_TEXT = /^1 (\d+) ([0-9a-f]{8})\n\0*$/;

/** What a checkpoint file holds: its value, and in a version-1 file the slot holding it. */
export interface HighWatermarkFileContent {
  value: number;
  /** The slot with the newest value (version 1), or null for a version-0 file. */
  newestSlot: number | null;
}

/** The content of a checkpoint file's bytes, or null when they are not one. */
export function parseHighWatermarkFile(bytes: Buffer): HighWatermarkFileContent | null {
  if (bytes.length === FILE_BYTES) return parseSlots(bytes);
  const value = parseVersion0(bytes.toString('latin1'));
  return value === null ? null : { value, newestSlot: null };
}

function parseSlots(bytes: Buffer): HighWatermarkFileContent | null {
  let best: HighWatermarkFileContent | null = null;
  for (let slot = 0; slot < SLOTS; slot++) {
    const start = slot * HIGH_WATERMARK_SLOT_BYTES;
    const value = parseSlot(bytes.toString('latin1', start, start + HIGH_WATERMARK_SLOT_BYTES));
    if (value !== null && (best === null || value > best.value)) best = { value, newestSlot: slot };
  }
  return best;
}

function parseSlot(text: string): number | null {
  const match = SLOT_TEXT.exec(text);
  if (!match) return null;
  const value = Number(match[1]);
  if (!Number.isSafeInteger(value) || slotCrc(value) !== match[2]) return null;
  return value;
}

function parseVersion0(text: string): number | null {
  const lines = text.split('\n').filter((line) => line.trim() !== '');
  if (lines.length !== 2 || lines[0].trim() !== '0') return null;
  if (!/^\d+$/.test(lines[1].trim())) return null;
  const value = Number(lines[1].trim());
  return Number.isSafeInteger(value) ? value : null;
}

function slotCrc(value: number): string {
  return crc32c(`1 ${value}`).toString(16).padStart(8, '0');
}

/** One slot's bytes holding `value`. */
export function encodeHighWatermarkSlot(value: number): Buffer {
  const slot = Buffer.alloc(HIGH_WATERMARK_SLOT_BYTES);
  slot.write(`1 ${value} ${slotCrc(value)}\n`, 'latin1');
  return slot;
}

/** Writes a checkpoint file: whole (atomically) the first time, then one slot in place. */
export class HighWatermarkFile {
  private handle: fs.promises.FileHandle | null = null;

  /** `onDisk`: what load found (null: no file). */
  constructor(
    readonly file: string,
    private onDisk: HighWatermarkFileContent | null,
  ) {}

  /** Makes `value` the file's value; resolves once it is on disk. */
  async write(value: number): Promise<void> {
    if (this.onDisk?.newestSlot == null) {
      // No file, or a version-0 one: a whole version-1 file, both slots alike, atomically.
      const slot = encodeHighWatermarkSlot(value);
      await writeFileAtomic(this.file, Buffer.concat([slot, slot]));
      this.onDisk = { value, newestSlot: 0 };
      return;
    }
    const target = 1 - this.onDisk.newestSlot;
    try {
      this.handle ??= await fs.promises.open(this.file, fs.constants.O_RDWR | fs.constants.O_DSYNC);
      const { bytesWritten } = await this.handle.write(
        encodeHighWatermarkSlot(value),
        0,
        HIGH_WATERMARK_SLOT_BYTES,
        target * HIGH_WATERMARK_SLOT_BYTES,
      );
      if (bytesWritten !== HIGH_WATERMARK_SLOT_BYTES) {
        throw new Error(`short write: ${bytesWritten} of ${HIGH_WATERMARK_SLOT_BYTES} bytes`);
      }
    } catch (error) {
      // The target slot may be torn now; the newest one still holds the previous value. Open
      // again on the next attempt, in case the descriptor is what failed.
      await this.close();
      throw error;
    }
    this.onDisk = { value, newestSlot: target };
  }

  async close(): Promise<void> {
    const handle = this.handle;
    this.handle = null;
    await handle?.close().catch(() => undefined);
  }
}
