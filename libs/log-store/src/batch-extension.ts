/**
 * The optional extension section of a record batch: what a batch says about the request(s) that
 * wrote it, beyond their messages. It carries each client request's Idempotency-Key and a hash of
 * its request body, so the keys travel with the batch into every replica's log and any leader can
 * answer a retry (apps/server/README.md, "Idempotency-Key and Expected-Offset").
 *
 * It sits after the last record, inside the batch's length and CRC. A batch without it (every
 * batch written before it existed) ends right after its last record, so old logs read as they
 * are: record framing (count x (length, bytes)) tells where the records end, and whatever
 * follows must be exactly one well-formed extension.
 *
 * Version 1, one request whose key covers every record of the batch (byte position relative to
 * the end of the last record):
 *    0  version    uint8   1
 *    1  keyLength  uint8   1..255
 *    2  key        keyLength bytes of visible ASCII (0x21..0x7e)
 *    .  hashLength uint8   0..64
 *    .  hash       hashLength bytes
 *
 * Version 2, several keyed requests sharing the batch (the leader coalesces the keyed requests of
 * one turn, as it does unkeyed ones), each owning the next `count` records in order:
 *    0  version    uint8   2
 *    1  parts      uint16  2..65535
 *    3  parts x (count uint32 >= 1, keyLength uint8, key, hashLength uint8, hash)
 * The counts must add up to the batch's record count. A batch of one keyed request is always
 * written as version 1, byte for byte as before version 2 existed.
 *
 * Concurrency: pure functions over buffers; safe from anywhere.
 */

export const EXTENSION_VERSION = 1;
export const MULTI_KEY_EXTENSION_VERSION = 2;
export const MAX_KEYED_PARTS = 0xffff;
export const MAX_IDEMPOTENCY_KEY_LENGTH = 255;
export const MAX_REQUEST_HASH_BYTES = 64;

const VISIBLE_ASCII = /^[\x21-\x7e]+$/;

/** The idempotency key of the request that wrote a batch, and a hash of that request's body. */
export interface IdempotencyTag {
  key: string;
  hash: Buffer;
}

/** Why `tag` cannot be stored, or null when it can. */
export function idempotencyTagProblem(tag: IdempotencyTag): string | null {
  if (typeof tag.key !== 'string' || tag.key.length < 1) return 'the key is empty';
  if (tag.key.length > MAX_IDEMPOTENCY_KEY_LENGTH) {
    return `the key has ${tag.key.length} characters, more than ${MAX_IDEMPOTENCY_KEY_LENGTH}`;
  }
  if (!VISIBLE_ASCII.test(tag.key)) return 'the key is not all visible ASCII';
  if (!Buffer.isBuffer(tag.hash) || tag.hash.length > MAX_REQUEST_HASH_BYTES) {
    return `the request hash must be a Buffer of at most ${MAX_REQUEST_HASH_BYTES} bytes`;
  }
  return null;
}

/** One request's share of a batch: the next `count` records, written under `tag`. */
export interface KeyedPart {
  tag: IdempotencyTag;
  count: number;
}

function tagSize(tag: IdempotencyTag): number {
  return 2 + tag.key.length + tag.hash.length;
}

export function extensionSize(parts: readonly KeyedPart[]): number {
  if (parts.length === 1) return 1 + tagSize(parts[0].tag);
  let size = 3;
  for (const part of parts) size += 4 + tagSize(part.tag);
  return size;
}

function writeTag(buf: Buffer, pos: number, tag: IdempotencyTag): number {
  buf.writeUInt8(tag.key.length, pos);
  buf.write(tag.key, pos + 1, 'latin1');
  const at = pos + 1 + tag.key.length;
  buf.writeUInt8(tag.hash.length, at);
  tag.hash.copy(buf, at + 1);
  return at + 1 + tag.hash.length;
}

/**
 * Writes the extension at `pos`; the caller sized the buffer with extensionSize and checked the
 * parts (keyedPartsProblem).
 */
export function writeExtension(buf: Buffer, pos: number, parts: readonly KeyedPart[]): void {
  if (parts.length === 1) {
    buf.writeUInt8(EXTENSION_VERSION, pos);
    writeTag(buf, pos + 1, parts[0].tag);
    return;
  }
  buf.writeUInt8(MULTI_KEY_EXTENSION_VERSION, pos);
  buf.writeUInt16BE(parts.length, pos + 1);
  let at = pos + 3;
  for (const part of parts) {
    buf.writeUInt32BE(part.count, at);
    at = writeTag(buf, at + 4, part.tag);
  }
}

/** Why `parts` cannot describe a batch of `recordCount` records, or null when they can. */
export function keyedPartsProblem(parts: readonly KeyedPart[], recordCount: number): string | null {
  if (parts.length < 1 || parts.length > MAX_KEYED_PARTS) {
    return `${parts.length} keyed parts; a batch holds 1 to ${MAX_KEYED_PARTS}`;
  }
  let total = 0;
  for (const part of parts) {
    if (!Number.isSafeInteger(part.count) || part.count < 1) {
      return `a keyed part of ${part.count} records`;
    }
    const problem = idempotencyTagProblem(part.tag);
    if (problem) return problem;
    total += part.count;
  }
  return total === recordCount
    ? null
    : `the keyed parts cover ${total} records of a batch of ${recordCount}`;
}

export type ExtensionRead = { ok: true; parts: KeyedPart[] } | { ok: false; detail: string };

/**
 * One part as the walk below finds it: its key is buf[keyStart, keyEnd), its hash
 * buf[keyEnd + 1, hashEnd).
 */
type PartSeen = (keyStart: number, keyEnd: number, hashEnd: number, count: number) => void;

/** Whether buf[start, end) is all visible ASCII (0x21..0x7e), without making a string. */
function visibleAscii(buf: Buffer, start: number, end: number): boolean {
  for (let i = start; i < end; i++) {
    const byte = buf[i];
    if (byte < 0x21 || byte > 0x7e) return false;
  }
  return true;
}

/** Where the tag at `pos` ends (checked), or why it is not a tag (a string). */
function tagEnd(buf: Buffer, pos: number, end: number): number | string {
  if (end - pos < 2) return 'an idempotency key is cut off';
  const keyLength = buf.readUInt8(pos);
  const hashAt = pos + 1 + keyLength;
  if (keyLength < 1 || hashAt + 1 > end) {
    return `idempotency key length ${keyLength} overruns the batch`;
  }
  const hashLength = buf.readUInt8(hashAt);
  const next = hashAt + 1 + hashLength;
  if (next > end) return `request hash length ${hashLength} overruns the batch`;
  if (!visibleAscii(buf, pos + 1, hashAt)) return 'idempotency key is not visible ASCII';
  return next;
}

/**
 * Checks the extension that must fill buf[pos, end) exactly, for a batch of `recordCount`
 * records, calling `seen` for each part once the whole extension is known good; the problem,
 * or null. Makes no strings: every replica checks every batch it writes or serves, and only
 * the key table (batchKeys) needs the keys themselves.
 */
function walkExtension(
  buf: Buffer,
  pos: number,
  end: number,
  recordCount: number,
  seen?: PartSeen,
): string | null {
  if (end - pos < 3) return `${end - pos} bytes after the last record`;
  const version = buf.readUInt8(pos);
  if (version === EXTENSION_VERSION) {
    const next = tagEnd(buf, pos + 1, end);
    if (typeof next === 'string') return next;
    if (next !== end) return 'the batch extension does not fill the batch exactly';
    seen?.(pos + 2, pos + 2 + buf.readUInt8(pos + 1), end, recordCount);
    return null;
  }
  if (version !== MULTI_KEY_EXTENSION_VERSION) return `unknown batch extension version ${version}`;
  const partCount = buf.readUInt16BE(pos + 1);
  if (partCount < 2) return `${partCount} keyed parts in a version 2 extension`;
  const first = pos + 3;
  let at = first;
  let total = 0;
  for (let i = 0; i < partCount; i++) {
    if (end - at < 4) return `keyed part ${i} is cut off`;
    const count = buf.readUInt32BE(at);
    const next = tagEnd(buf, at + 4, end);
    if (typeof next === 'string') return next;
    if (count < 1) return `keyed part ${i} has no records`;
    total += count;
    at = next;
  }
  if (at !== end) return 'the batch extension does not fill the batch exactly';
  if (total !== recordCount) {
    return `the keyed parts cover ${total} records of a batch of ${recordCount}`;
  }
  if (seen) {
    for (at = first; at < end;) {
      const keyStart = at + 5;
      const keyEnd = keyStart + buf.readUInt8(at + 4);
      const hashEnd = keyEnd + 1 + buf.readUInt8(keyEnd);
      seen(keyStart, keyEnd, hashEnd, buf.readUInt32BE(at));
      at = hashEnd;
    }
  }
  return null;
}

/** Why the extension in buf[pos, end) is not well formed for `recordCount` records, or null. */
export function extensionProblem(
  buf: Buffer,
  pos: number,
  end: number,
  recordCount: number,
): string | null {
  return walkExtension(buf, pos, end, recordCount);
}

/**
 * Parses the extension that must fill buf[pos, end) exactly, for a batch of `recordCount`
 * records (the hashes are views into `buf`).
 */
export function readExtension(
  buf: Buffer,
  pos: number,
  end: number,
  recordCount: number,
): ExtensionRead {
  const parts: KeyedPart[] = [];
  const problem = walkExtension(buf, pos, end, recordCount, (keyStart, keyEnd, hashEnd, count) =>
    parts.push({
      tag: {
        key: buf.toString('latin1', keyStart, keyEnd),
        hash: buf.subarray(keyEnd + 1, hashEnd),
      },
      count,
    }),
  );
  return problem === null ? { ok: true, parts } : { ok: false, detail: problem };
}
