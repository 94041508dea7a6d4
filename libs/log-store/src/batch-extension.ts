/**
 * The optional extension section of a record batch: what a batch says about the request that
 * wrote it, beyond its messages. Version 1 carries the client's Idempotency-Key and a hash of
 * its request body, so the key travels with the batch into every replica's log and any leader
 * can answer a retry of it (apps/server/README.md, "Idempotency-Key and Expected-Offset").
 *
 * It sits after the last record, inside the batch's length and CRC. A batch without it (every
 * batch written before it existed) ends right after its last record, so old logs read as they
 * are: record framing (count x (length, bytes)) tells where the records end, and whatever
 * follows must be exactly one well-formed extension.
 *
 * Layout (byte position relative to the end of the last record):
 *    0  version    uint8   1
 *    1  keyLength  uint8   1..255
 *    2  key        keyLength bytes of visible ASCII (0x21..0x7e)
 *    .  hashLength uint8   0..64
 *    .  hash       hashLength bytes
 *
 * Concurrency: pure functions over buffers; safe from anywhere.
 */

export const EXTENSION_VERSION = 1;
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

export function extensionSize(tag: IdempotencyTag): number {
  return 3 + tag.key.length + tag.hash.length;
}

/** Writes the extension at `pos`; the caller sized the buffer with extensionSize. */
export function writeExtension(buf: Buffer, pos: number, tag: IdempotencyTag): void {
  buf.writeUInt8(EXTENSION_VERSION, pos);
  buf.writeUInt8(tag.key.length, pos + 1);
  buf.write(tag.key, pos + 2, 'latin1');
  const at = pos + 2 + tag.key.length;
  buf.writeUInt8(tag.hash.length, at);
  tag.hash.copy(buf, at + 1);
}

export type ExtensionRead = { ok: true; tag: IdempotencyTag } | { ok: false; detail: string };

/** Parses the extension that must fill buf[pos, end) exactly. */
export function readExtension(buf: Buffer, pos: number, end: number): ExtensionRead {
  if (end - pos < 3) return { ok: false, detail: `${end - pos} bytes after the last record` };
  const version = buf.readUInt8(pos);
  if (version !== EXTENSION_VERSION) {
    return { ok: false, detail: `unknown batch extension version ${version}` };
  }
  const keyLength = buf.readUInt8(pos + 1);
  const hashAt = pos + 2 + keyLength;
  if (keyLength < 1 || hashAt + 1 > end) {
    return { ok: false, detail: `idempotency key length ${keyLength} overruns the batch` };
  }
  const hashLength = buf.readUInt8(hashAt);
  if (hashAt + 1 + hashLength !== end) {
    return { ok: false, detail: 'the batch extension does not fill the batch exactly' };
  }
  const key = buf.toString('latin1', pos + 2, hashAt);
  if (!VISIBLE_ASCII.test(key))
    return { ok: false, detail: 'idempotency key is not visible ASCII' };
  return { ok: true, tag: { key, hash: buf.subarray(hashAt + 1, end) } };
}
