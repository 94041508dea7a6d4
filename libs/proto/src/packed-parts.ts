/**
 * Packed parts (AppendRequest.part_counts ... part_hash_bytes): the parts of an Append with keyed
 * requests in five flat fields (the keys in one bytes field with their lengths, the hashes in
 * one of n × their length, the counts packed) instead of an AppendPart message per part. With
 * ~60 parts per Append at 64 concurrent keyed writes, `parts` made, encoded, decoded and
 * collected ~60 nested messages, each with its own key string and hash Buffer, per Append on
 * each side. A replica that takes them says so in its AppendStream's response headers.
 */
import type { AppendBatch } from './messages';

/**
 * Response header of a replica's AppendStream ('1'): the replica takes packed parts. A replica
 * that predates them would store such a request as plain messages, keys lost, so packed parts go
 * only on a stream whose replica said this; others get AppendRequest.parts.
 */
export const APPEND_PACKED_PARTS_HEADER = 'distilled-append-packed-parts';

type PackedFields = Required<
  Pick<
    AppendBatch,
    'part_counts' | 'part_keys' | 'part_key_lengths' | 'part_hashes' | 'part_hash_bytes'
  >
>;

/**
 * The packed fields for keyed `requests` (each with idempotency_key and request_hash);
 * undefined when their hashes differ in length (never from the API, whose hashes all have
 * REQUEST_HASH_BYTES): the caller then sends `parts`.
 */
export function packParts(requests: readonly AppendBatch[]): PackedFields | undefined {
  const n = requests.length;
  const counts = new Array<number>(n);
  const keys = new Array<string>(n);
  const hashes = new Array<Buffer>(n);
  const hashBytes = requests[0]?.request_hash?.length ?? 0;
  for (let i = 0; i < n; i++) {
    const request = requests[i];
    const hash = request.request_hash ?? EMPTY;
    if (hash.length !== hashBytes) return undefined;
    counts[i] = request.messages.length;
    keys[i] = request.idempotency_key ?? '';
    hashes[i] = hash;
  }
  // One native call for all the keys; when they are all ASCII (always, from the API, which
  // refuses any other key) each key's length is its string length.
  const joined = keys.join('');
  const partKeys = Buffer.from(joined, 'utf8');
  const keyLengths = new Array<number>(n);
  const ascii = partKeys.length === joined.length;
  for (let i = 0; i < n; i++) {
    keyLengths[i] = ascii ? keys[i].length : Buffer.byteLength(keys[i], 'utf8');
  }
  return {
    part_counts: counts,
    part_keys: partKeys,
    part_key_lengths: keyLengths,
    part_hashes: Buffer.concat(hashes, n * hashBytes),
    part_hash_bytes: hashBytes,
  };
}

/** Whether `request` carries any packed parts field (a request that does is an Append with parts). */
export function hasPackedParts(request: AppendBatch): boolean {
  return (
    (request.part_counts?.length ?? 0) > 0 ||
    (request.part_key_lengths?.length ?? 0) > 0 ||
    (request.part_keys?.length ?? 0) > 0 ||
    (request.part_hashes?.length ?? 0) > 0
  );
}

/**
 * Each packed part of `request` as `make` builds it from its index, message count, key and hash
 * (a view into part_hashes); a string saying what is wrong when the fields do not fit together.
 * Counts are not checked against the messages here (splitParts does, for both forms).
 */
export function unpackParts<T>(
  request: AppendBatch,
  make: (index: number, count: number, key: string, hash: Buffer) => T,
): T[] | string {
  const counts = request.part_counts ?? [];
  const keyLengths = request.part_key_lengths ?? [];
  const keys = request.part_keys ?? EMPTY;
  const hashes = request.part_hashes ?? EMPTY;
  const hashBytes = request.part_hash_bytes ?? 0;
  const n = counts.length;
  if (keyLengths.length !== n) {
    return `packed parts: ${keyLengths.length} key lengths for ${n} parts`;
  }
  if (hashes.length !== n * hashBytes) {
    return `packed parts: ${hashes.length} hash bytes for ${n} parts of ${hashBytes}`;
  }
  let keyBytes = 0;
  for (let i = 0; i < n; i++) keyBytes += keyLengths[i];
  if (keyBytes !== keys.length) {
    return `packed parts: key lengths add up to ${keyBytes} bytes, part_keys has ${keys.length}`;
  }
  const parts = new Array<T>(n);
  let keyAt = 0;
  for (let i = 0; i < n; i++) {
    const keyEnd = keyAt + keyLengths[i];
    const hashAt = i * hashBytes;
    parts[i] = make(
      i,
      counts[i],
      keys.toString('utf8', keyAt, keyEnd),
      hashes.subarray(hashAt, hashAt + hashBytes),
    );
    keyAt = keyEnd;
  }
  return parts;
}

const EMPTY = Buffer.alloc(0);
