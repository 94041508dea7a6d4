import { randomBytes } from 'node:crypto';

/**
 * A random producer id for this API process: non-zero (0 means "no producer" on the wire) and a
 * safe integer (uint64 travels as a JS number). 53 random bits make two API processes sharing
 * an id, and so deduplicating each other's batches, practically impossible.
 */
export function randomProducerId(): number {
  for (;;) {
    const bits = randomBytes(8).readBigUInt64BE() & BigInt(Number.MAX_SAFE_INTEGER);
    if (bits !== 0n) return Number(bits);
  }
}
