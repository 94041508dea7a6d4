/**
 * The fingerprint an Idempotency-Key is bound to (the IETF draft's "request fingerprint"): a
 * hash of the route and of every message, so a retry matches only the same request. It travels
 * to the leader with the key and sits beside it in the record batch, so any later leader can
 * tell a true retry (replay) from a reuse of the key for something else (422).
 */
import { createHash, hash as oneShotHash } from 'node:crypto';

/** Which call a request was: the same messages sent to /Data and to /Data/Batch differ. */
export type WriteRoute = 'message' | 'batch';

/** 16 bytes of SHA-256: collisions are out of reach, and the batch extension stays small. */
export const REQUEST_HASH_BYTES = 16;

/**
 * Up to this many bytes are hashed in one call over one copy of the input: for a single message
 * that costs about half of a Hash object fed piece by piece (its creation dominates). Larger
 * batches are fed piece by piece, without the copy. Both hash the same bytes.
 */
const ONE_SHOT_MAX_BYTES = 64 * 1024;

export function requestHash(route: WriteRoute, messages: readonly Buffer[]): Buffer {
  // The route, then each message length-prefixed, so ["ab", "c"] and ["a", "bc"] differ.
  let size = Buffer.byteLength(route);
  for (const message of messages) size += 4 + message.length;
  if (size > ONE_SHOT_MAX_BYTES) return streamedHash(route, messages);
  const input = Buffer.allocUnsafe(size);
  let at = input.write(route, 0, 'utf8');
  for (const message of messages) {
    at = input.writeUInt32BE(message.length, at);
    at += message.copy(input, at);
  }
  return oneShotHash('sha256', input, 'buffer').subarray(0, REQUEST_HASH_BYTES);
}

function streamedHash(route: WriteRoute, messages: readonly Buffer[]): Buffer {
  const hash = createHash('sha256').update(route);
  const length = Buffer.alloc(4);
  for (const message of messages) {
    length.writeUInt32BE(message.length, 0);
    hash.update(length).update(message);
  }
  return hash.digest().subarray(0, REQUEST_HASH_BYTES);
}
