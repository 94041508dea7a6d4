/**
 * The keys of the leader's key table (idempotency-keys.ts) whose record batch is being written:
 * each with the hash of the request that holds it, found by the table's own 32-bit key hash.
 * A key comes in (begin) and goes out (remember or abandon) once per keyed append, so this is
 * on every keyed request's path. A V8 Map of key strings paid there for hashing each fresh key
 * string and for growing and shrinking its table as a group of keys came and went; here the
 * places are kept, and the key hash the table computed anyway picks the place.
 *
 * Linear probing at a load of at most one half; a removal shifts later entries back (no
 * tombstones), as in KeySlotIndex. Grows when half full; never shrinks (it holds at most the
 * keys in flight).
 *
 * Concurrency: plain synchronous code, owned by one table.
 */

/** Places at first (a power of two): a group of keyed requests in flight fits without growing. */
const FIRST_PLACES = 256;

export class WritingKeys {
  private keys: (string | undefined)[] = new Array<string | undefined>(FIRST_PLACES).fill(
    undefined,
  );
  private requestHashes: (Buffer | undefined)[] = new Array<Buffer | undefined>(FIRST_PLACES).fill(
    undefined,
  );
  private keyHashes = new Int32Array(FIRST_PLACES);
  private mask = FIRST_PLACES - 1;
  private count = 0;

  get size(): number {
    return this.count;
  }

  /** The request hash `key` (filed under `keyHash`) is held for, or undefined. */
  get(key: string, keyHash: number): Buffer | undefined {
    if (this.count === 0) return undefined;
    const place = this.find(key, keyHash);
    return place < 0 ? undefined : this.requestHashes[place];
  }

  /** Holds `key` for `requestHash` (replacing what it held). */
  set(key: string, keyHash: number, requestHash: Buffer): void {
    const found = this.find(key, keyHash);
    if (found >= 0) {
      this.requestHashes[found] = requestHash;
      return;
    }
    if (2 * (this.count + 1) > this.keys.length) this.grow();
    let place = keyHash & this.mask;
    while (this.keys[place] !== undefined) place = (place + 1) & this.mask;
    this.keys[place] = key;
    this.requestHashes[place] = requestHash;
    this.keyHashes[place] = keyHash;
    this.count += 1;
  }

  /** Lets go of `key`, if held. */
  delete(key: string, keyHash: number): void {
    if (this.count === 0) return;
    const place = this.find(key, keyHash);
    if (place < 0) return;
    const { keys, requestHashes, keyHashes, mask } = this;
    let hole = place;
    for (let at = (place + 1) & mask; keys[at] !== undefined; at = (at + 1) & mask) {
      const home = keyHashes[at] & mask;
      // The entry may move to the hole when the hole lies on its walk: home .. at, cyclically.
      if (((at - home) & mask) >= ((at - hole) & mask)) {
        keys[hole] = keys[at];
        requestHashes[hole] = requestHashes[at];
        keyHashes[hole] = keyHashes[at];
        hole = at;
      }
    }
    keys[hole] = undefined;
    requestHashes[hole] = undefined;
    this.count -= 1;
  }

  /** The place holding `key`, or -1. */
  private find(key: string, keyHash: number): number {
    const { keys, keyHashes, mask } = this;
    for (let place = keyHash & mask; ; place = (place + 1) & mask) {
      const held = keys[place];
      if (held === undefined) return -1;
      if (keyHashes[place] === keyHash && held === key) return place;
    }
  }

  private grow(): void {
    const { keys, requestHashes, keyHashes } = this;
    const places = keys.length * 2;
    this.keys = new Array<string | undefined>(places).fill(undefined);
    this.requestHashes = new Array<Buffer | undefined>(places).fill(undefined);
    this.keyHashes = new Int32Array(places);
    this.mask = places - 1;
    this.count = 0;
    for (let place = 0; place < keys.length; place++) {
      const key = keys[place];
      if (key !== undefined) this.set(key, keyHashes[place], requestHashes[place]!);
    }
  }
}
