/**
 * The fingerprint an Idempotency-Key is bound to (the IETF draft's "request fingerprint"): a
 * hash of the route and of every message, so a retry matches only the same request. It travels
 * to the leader with the key and sits beside it in the record batch, so any later leader can
 * tell a true retry (replay) from a reuse of the key for something else (422).
 */
import { createHash } from 'node:crypto';

/** Which call a request was: the same messages sent to /Data and to /Data/Batch differ. */
export type WriteRoute = 'message' | 'batch';

/** 16 bytes of SHA-256: collisions are out of reach, and the batch extension stays small. */
export const REQUEST_HASH_BYTES = 16;

export function requestHash(route: WriteRoute, messages: readonly Buffer[]): Buffer {
  const hash = createHash('sha256').update(route);
  const length = Buffer.alloc(4);
  for (const message of messages) {
    // Length-prefixed, so ["ab", "c"] and ["a", "bc"] differ.
    length.writeUInt32BE(message.length, 0);
    hash.update(length).update(message);
  }
  return hash.digest().subarray(0, REQUEST_HASH_BYTES);
}
