import { closeSync, existsSync, openSync, readdirSync, readFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import {
  BATCH_HEADER_BYTES,
  HIGH_WATERMARK_FILE,
  parseHighWatermarkFile,
} from '@distilled/log-store';

/** Where one record batch sits in a segment file (libs/log-store record-batch.ts layout). */
export interface BatchLocation {
  file: string;
  position: number;
  baseOffset: number;
  count: number;
  size: number;
}

/** The segment files (`<20 digits>.log`) of a replica's data directory, oldest first. */
export function segmentFiles(dataDir: string): string[] {
  return readdirSync(dataDir)
    .filter((name) => /^\d{20}\.log$/.test(name))
    .sort()
    .map((name) => join(dataDir, name));
}

/** The batches of a segment file, by their headers, up to the first that does not fit. */
export function batchesIn(file: string): BatchLocation[] {
  const bytes = readFileSync(file);
  const batches: BatchLocation[] = [];
  let position = 0;
  while (position + BATCH_HEADER_BYTES <= bytes.length) {
    const size = bytes.readInt32BE(position + 8) + 12;
    if (size < BATCH_HEADER_BYTES || position + size > bytes.length) break;
    const baseOffset = bytes.readInt32BE(position) * 2 ** 32 + bytes.readUInt32BE(position + 4);
    batches.push({ file, position, baseOffset, count: bytes.readInt32BE(position + 20), size });
    position += size;
  }
  return batches;
}

/**
 * Flips one byte inside the first record of the batch found `fraction` of the way into the
 * file: framing intact, checksum wrong. Works on a running replica's files too (its reads are
 * positional reads of the same inode). Returns the damaged batch.
 */
export function corruptBatch(file: string, fraction = 0.5): BatchLocation {
  const batches = batchesIn(file);
  if (batches.length < 3) throw new Error(`${file} has too few batches to damage one inside`);
  const index = Math.min(batches.length - 2, Math.max(1, Math.floor(batches.length * fraction)));
  const batch = batches[index];
  const at = batch.position + BATCH_HEADER_BYTES + 4; // the first byte of the first message
  const fd = openSync(file, 'r+');
  try {
    const byte = Buffer.alloc(1);
    byte[0] = readFileSync(file)[at] ^ 0xff;
    writeSync(fd, byte, 0, 1, at);
  } finally {
    closeSync(fd);
  }
  return batch;
}

/** The replica's high-watermark checkpoint (0 when it has none yet). */
export function checkpointOf(dataDir: string): number {
  const file = join(dataDir, HIGH_WATERMARK_FILE);
  if (!existsSync(file)) return 0;
  return parseHighWatermarkFile(readFileSync(file))?.value ?? NaN;
}
