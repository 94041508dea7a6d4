/**
 * Record batch codec: the one on-disk and on-the-wire unit of the log. A leader encodes a batch
 * once; the same bytes are written to its segment, served by readFrom, and appended verbatim by
 * followers, so this layout is fixed.
 *
 * Layout (big-endian; byte position: field):
 *    0  baseOffset  int64   offset of the first record
 *    8  length      int32   bytes after this field (= whole batch size - 12)
 *   12  crc         uint32  CRC-32C of every byte after this field (16 .. end)
 *   16  epoch       int32   leader epoch that first appended the batch
 *   20  count       int32   number of records, >= 1
 *   24  timestamp   int64   ms since 1970, when the leader appended it
 *   32  producerId  int64   idempotent producer id, 0 = none
 *   40  sequence    int64   the producer's batch sequence (0 without a producer)
 *   48  records     count x (length int32, bytes)
 *    .  extension   optional, after the last record (batch-extension.ts): the idempotency
 *                   key(s) of the request(s) that wrote the batch; batches without one end at
 *                   their last record, as every batch did before the extension existed
 *
 * baseOffset sits outside the CRC (as in Kafka) so a batch can be encoded and checksummed when
 * append() is called and stamped with its offset only when its turn in the group commit comes.
 * A damaged length is still caught: the CRC is then computed over the wrong range, and the record
 * framing must fill the batch exactly.
 *
 * Concurrency: pure functions over buffers; safe from anywhere.
 */
import { crc32c } from '@node-rs/crc32';
import {
  extensionSize,
  extensionProblem,
  readExtension,
  writeExtension,
  type IdempotencyTag,
  type KeyedPart,
} from './batch-extension';

/** Bytes before the first record. */
export const BATCH_HEADER_BYTES = 48;
/** baseOffset + length: the bytes not counted by `length`. */
export const BATCH_PREFIX_BYTES = 12;
const CRC_START = 16;
/** Largest batch the int32 length field can describe. */
export const MAX_BATCH_BYTES = 0x7fff_ffff;

export interface BatchInput {
  baseOffset: number;
  epoch: number;
  timestamp: number;
  /** 0 = no producer. */
  producerId: number;
  sequence: number;
  messages: readonly Buffer[];
  /** The client request's idempotency key (and body hash), kept in the batch extension. */
  idempotency?: IdempotencyTag;
  /** Instead of `idempotency`: several keyed requests, each owning the next `count` messages. */
  keyedParts?: readonly KeyedPart[];
}

/** The keyed parts a batch of `count` messages carries (none: undefined). */
export function keyedPartsOf(
  count: number,
  idempotency?: IdempotencyTag,
  keyedParts?: readonly KeyedPart[],
): readonly KeyedPart[] | undefined {
  if (keyedParts) return keyedParts;
  return idempotency ? [{ tag: idempotency, count }] : undefined;
}

export interface BatchHeader {
  baseOffset: number;
  /** Whole batch size in bytes, prefix included. */
  size: number;
  crc: number;
  epoch: number;
  count: number;
  timestamp: number;
  producerId: number;
  sequence: number;
}

export type BatchCheck =
  | { ok: true; header: BatchHeader }
  /** `incomplete`: the buffer ends inside the batch (a torn write). */
  | { ok: false; reason: 'incomplete' | 'framing' | 'checksum'; detail: string };

const TWO_32 = 2 ** 32;

/** Writes a safe integer as int64 (two's complement) without going through BigInt. */
export function writeInt64(buf: Buffer, value: number, pos: number): void {
  const high = Math.floor(value / TWO_32);
  buf.writeInt32BE(high, pos);
  buf.writeUInt32BE(value - high * TWO_32, pos + 4);
}

export function readInt64(buf: Buffer, pos: number): number {
  return buf.readInt32BE(pos) * TWO_32 + buf.readUInt32BE(pos + 4);
}

export function encodedBatchSize(
  messages: readonly Buffer[],
  keyedParts?: readonly KeyedPart[],
): number {
  let size = BATCH_HEADER_BYTES;
  for (const m of messages) size += 4 + m.length;
  return keyedParts ? size + extensionSize(keyedParts) : size;
}

export function encodeBatch(input: BatchInput): Buffer {
  const parts = keyedPartsOf(input.messages.length, input.idempotency, input.keyedParts);
  const size = encodedBatchSize(input.messages, parts);
  if (size > MAX_BATCH_BYTES) throw new RangeError(`batch of ${size} bytes is too large`);
  const buf = Buffer.allocUnsafe(size);
  writeInt64(buf, input.baseOffset, 0);
  buf.writeInt32BE(size - BATCH_PREFIX_BYTES, 8);
  buf.writeInt32BE(input.epoch, 16);
  buf.writeInt32BE(input.messages.length, 20);
  writeInt64(buf, input.timestamp, 24);
  writeInt64(buf, input.producerId, 32);
  writeInt64(buf, input.sequence, 40);
  let pos = BATCH_HEADER_BYTES;
  for (const m of input.messages) {
    buf.writeInt32BE(m.length, pos);
    m.copy(buf, pos + 4);
    pos += 4 + m.length;
  }
  if (parts) writeExtension(buf, pos, parts);
  buf.writeUInt32BE(crc32c(buf.subarray(CRC_START)), 12);
  return buf;
}

/** Sets the base offset of an encoded batch in place (not covered by the CRC). */
export function stampBaseOffset(batch: Buffer, baseOffset: number, pos = 0): void {
  writeInt64(batch, baseOffset, pos);
}

/** Reads a header without checking anything; the caller guarantees 48 bytes at `pos`. */
export function readBatchHeader(buf: Buffer, pos = 0): BatchHeader {
  return {
    baseOffset: readInt64(buf, pos),
    size: buf.readInt32BE(pos + 8) + BATCH_PREFIX_BYTES,
    crc: buf.readUInt32BE(pos + 12),
    epoch: buf.readInt32BE(pos + 16),
    count: buf.readInt32BE(pos + 20),
    timestamp: readInt64(buf, pos + 24),
    producerId: readInt64(buf, pos + 32),
    sequence: readInt64(buf, pos + 40),
  };
}

/**
 * Size of the batch at `pos` from its length field alone, or -1 when fewer than 12 bytes are
 * there or the length is impossible. Used to walk batches without decoding them.
 */
export function peekBatchSize(buf: Buffer, pos: number, end = buf.length): number {
  if (end - pos < BATCH_PREFIX_BYTES) return -1;
  const length = buf.readInt32BE(pos + 8);
  if (length < BATCH_HEADER_BYTES - BATCH_PREFIX_BYTES) return -1;
  return length + BATCH_PREFIX_BYTES;
}

/**
 * Validates the batch at `pos` (framing, count, record framing and, unless `verifyCrc` is false,
 * the CRC) within buf[pos, end).
 */
export function checkBatch(buf: Buffer, pos = 0, end = buf.length, verifyCrc = true): BatchCheck {
  if (end - pos < BATCH_PREFIX_BYTES) {
    return { ok: false, reason: 'incomplete', detail: `${end - pos} bytes left, header needs 12` };
  }
  const length = buf.readInt32BE(pos + 8);
  if (length < BATCH_HEADER_BYTES - BATCH_PREFIX_BYTES) {
    return { ok: false, reason: 'framing', detail: `impossible batch length ${length}` };
  }
  const size = length + BATCH_PREFIX_BYTES;
  if (end - pos < size) {
    return {
      ok: false,
      reason: 'incomplete',
      detail: `batch of ${size} bytes, only ${end - pos} present`,
    };
  }
  const header = readBatchHeader(buf, pos);
  if (verifyCrc) {
    const crc = crc32c(buf.subarray(pos + CRC_START, pos + size));
    if (crc !== header.crc) {
      return {
        ok: false,
        reason: 'checksum',
        detail: `CRC-32C ${crc.toString(16)} != stored ${header.crc.toString(16)}`,
      };
    }
  }
  if (header.count < 1 || header.baseOffset < 0 || header.epoch < 0) {
    return {
      ok: false,
      reason: 'framing',
      detail: `bad header (baseOffset ${header.baseOffset}, count ${header.count}, epoch ${header.epoch})`,
    };
  }
  let p = pos + BATCH_HEADER_BYTES;
  const batchEnd = pos + size;
  for (let i = 0; i < header.count; i++) {
    if (batchEnd - p < 4) return { ok: false, reason: 'framing', detail: `record ${i} cut` };
    const len = buf.readInt32BE(p);
    if (len < 0 || batchEnd - p - 4 < len) {
      return { ok: false, reason: 'framing', detail: `record ${i} length ${len} overruns batch` };
    }
    p += 4 + len;
  }
  if (p !== batchEnd) {
    const problem = extensionProblem(buf, p, batchEnd, header.count);
    if (problem !== null) return { ok: false, reason: 'framing', detail: problem };
  }
  return { ok: true, header };
}

/**
 * The idempotency keys of a batch that passed checkBatch, in record order, each with the number
 * of records it owns; empty when the batch has none (the hashes are views into `buf`).
 */
export function batchKeys(buf: Buffer, pos = 0): KeyedPart[] {
  const count = buf.readInt32BE(pos + 20);
  const end = pos + buf.readInt32BE(pos + 8) + BATCH_PREFIX_BYTES;
  let p = pos + BATCH_HEADER_BYTES;
  for (let i = 0; i < count; i++) p += 4 + buf.readInt32BE(p);
  if (p >= end) return [];
  const extension = readExtension(buf, p, end, count);
  return extension.ok ? extension.parts : [];
}

/** The message at `index` of a batch that passed checkBatch, as a view into `buf`. */
export function batchMessage(buf: Buffer, pos: number, index: number): Buffer {
  let p = pos + BATCH_HEADER_BYTES;
  for (let i = 0; i < index; i++) p += 4 + buf.readInt32BE(p);
  const len = buf.readInt32BE(p);
  return buf.subarray(p + 4, p + 4 + len);
}

/** Every message of a batch that passed checkBatch, as views into `buf`. */
export function batchMessages(buf: Buffer, pos = 0): Buffer[] {
  const count = buf.readInt32BE(pos + 20);
  const out: Buffer[] = [];
  let p = pos + BATCH_HEADER_BYTES;
  for (let i = 0; i < count; i++) {
    const len = buf.readInt32BE(p);
    out.push(buf.subarray(p + 4, p + 4 + len));
    p += 4 + len;
  }
  return out;
}

export interface DecodedBatch {
  header: BatchHeader;
  messages: Buffer[];
}

/**
 * Decodes a buffer of back-to-back batches (readFrom output), verifying each. Throws a
 * RangeError naming the first bad batch.
 */
export function decodeBatches(buf: Buffer): DecodedBatch[] {
  const out: DecodedBatch[] = [];
  let pos = 0;
  while (pos < buf.length) {
    const check = checkBatch(buf, pos);
    if (!check.ok) throw new RangeError(`bad batch at byte ${pos}: ${check.detail}`);
    out.push({ header: check.header, messages: batchMessages(buf, pos) });
    pos += check.header.size;
  }
  return out;
}
