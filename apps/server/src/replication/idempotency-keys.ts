/**
 * The leader's memory of Idempotency-Keys (apps/server/README.md, "Idempotency-Key and
 * Expected-Offset"): for each key, the hash of the request that first used it and where its record
 * batch sits in the log, so a retry is answered with the original offsets instead of being appended
 * again.
 *
 * Nothing here is the source of truth: every key is in the extension section of its record
 * batch, replicated with it. A new leader fills a fresh table from its own log (key-table-scan)
 * and then from its own appends, so it answers a retry exactly as the old leader would have.
 *
 * Two maps: `writing` holds keys whose batch is on its way into the log (offsets unknown); once
 * written, a key moves to `written` with its offsets, and counts as committed as soon as the
 * high watermark passes its end. Bounded: at most `maxKeys` written keys, the oldest (in log
 * order, which is also time order) forgotten first; a key older than `windowMs` is forgotten
 * too. `writing` holds at most the appends in flight.
 *
 * A written key costs no object of its own: `written` maps it to its place in a ring of typed
 * arrays (offsets, count, time, hash) kept in log order. A key remembered per keyed append was
 * most of what a key cost the leader: an entry object, its timestamp as a heap number and its
 * hash as a string per key made ~230 B per key for the GC to trace, and copying the hash to a
 * string three times per request (check, begin, remember) showed in its profile.
 *
 * Concurrency: owned by one LeaderTerm; plain synchronous map updates on the event loop, so a
 * check and the `begin` that follows it cannot interleave with another request.
 */
import type { IdempotencyTag } from '@distilled/log-store';

/** How many inserts pass between two sweeps of expired keys. */
const SWEEP_EVERY = 1024;
/** Hash bytes a ring slot holds; a longer hash (up to 64 bytes) is kept aside, by position. */
const HASH_SLOT_BYTES = 16;
/** The ring's first size (a power of two); it doubles as keys are remembered. */
const FIRST_CAPACITY = 1024;

export type KeyCheck =
  | { kind: 'new' }
  | { kind: 'replay'; baseOffset: number; count: number }
  /** Written or being written, not committed yet: its outcome is not known. */
  | { kind: 'in-flight' }
  /** Held for a request with another body. */
  | { kind: 'mismatch' };

const NEW: KeyCheck = { kind: 'new' };
const IN_FLIGHT: KeyCheck = { kind: 'in-flight' };
const MISMATCH: KeyCheck = { kind: 'mismatch' };

export interface IdempotencyKeyTableOptions {
  maxKeys: number;
  windowMs: number;
}

export class IdempotencyKeyTable {
  /** Keys being written: the hash of the request that holds each. */
  private readonly writing = new Map<string, Buffer>();
  /** Written keys: each one's position in the ring (see below). */
  private readonly written = new Map<string, number>();
  /**
   * The ring, in log order: position p (counted from 0 since the table began, never reused)
   * sits at slot p & (capacity - 1); `head` is the oldest position still in the ring, `tail`
   * the next. A position whose key `written` no longer maps to it (forgotten, or remembered
   * again further on) is stale and skipped. Eviction and the window sweep take the oldest from
   * `head`, never from the front of `written`: deleting from a Map's front leaves holes V8 walks
   * on every new iteration.
   */
  private capacity = FIRST_CAPACITY;
  private keys: (string | undefined)[] = new Array<string | undefined>(FIRST_CAPACITY);
  private baseOffsets = new Float64Array(FIRST_CAPACITY);
  private counts = new Uint32Array(FIRST_CAPACITY);
  private timestamps = new Float64Array(FIRST_CAPACITY);
  private hashLengths = new Uint8Array(FIRST_CAPACITY);
  private hashes = new Uint8Array(FIRST_CAPACITY * HASH_SLOT_BYTES);
  /** Hashes longer than a slot holds, by position (the API sends 16 bytes; others may not). */
  private readonly longHashes = new Map<number, Buffer>();
  private head = 0;
  private tail = 0;
  /** Inserts since the last sweep of keys past the window. */
  private sinceSweep = 0;

  constructor(private readonly options: IdempotencyKeyTableOptions) {}

  /** Written keys remembered (not counting those being written). */
  get size(): number {
    return this.written.size;
  }

  /**
   * What a request with `tag` should get at `now`, given the leader's high watermark. Another
   * hash is a mismatch whatever the first request's state: reusing a key for another body is
   * the client's mistake, and retrying will not fix it.
   */
  check(tag: IdempotencyTag, highWatermark: number, now: number): KeyCheck {
    const writing = this.writing.get(tag.key);
    if (writing !== undefined) return writing.equals(tag.hash) ? IN_FLIGHT : MISMATCH;
    const position = this.written.get(tag.key);
    if (position === undefined) return NEW;
    const slot = position & (this.capacity - 1);
    if (now - this.timestamps[slot] > this.options.windowMs) {
      this.written.delete(tag.key);
      return NEW;
    }
    if (!this.sameHash(position, slot, tag.hash)) return MISMATCH;
    const baseOffset = this.baseOffsets[slot];
    const count = this.counts[slot];
    if (baseOffset + count > highWatermark) return IN_FLIGHT;
    return { kind: 'replay', baseOffset, count };
  }

  /** The key's batch is being appended: later requests with it wait for its outcome. */
  begin(tag: IdempotencyTag): void {
    this.writing.set(tag.key, tag.hash);
  }

  /** The append failed before it was written (nothing stored): the key is free again. */
  abandon(tag: IdempotencyTag): void {
    this.writing.delete(tag.key);
  }

  /**
   * The key's batch is in the log at these offsets (from an append, or found by the scan).
   * The hash is copied: a view into a chunk the scan read does not pin the chunk.
   */
  remember(tag: IdempotencyTag, baseOffset: number, count: number, timestamp: number): void {
    if (this.writing.size > 0) this.writing.delete(tag.key);
    if (this.tail - this.head === this.capacity) this.makeRoom();
    const position = this.tail++;
    const slot = position & (this.capacity - 1);
    this.keys[slot] = tag.key;
    this.baseOffsets[slot] = baseOffset;
    this.counts[slot] = count;
    this.timestamps[slot] = timestamp;
    const { hash } = tag;
    this.hashLengths[slot] = hash.length;
    if (hash.length <= HASH_SLOT_BYTES) {
      this.hashes.set(hash, slot * HASH_SLOT_BYTES);
    } else {
      this.longHashes.set(position, Buffer.from(hash));
    }
    // A key remembered again points here now; its earlier position goes stale.
    this.written.set(tag.key, position);
    this.evict(timestamp);
  }

  private sameHash(position: number, slot: number, hash: Buffer): boolean {
    const length = this.hashLengths[slot];
    if (hash.length !== length) return false;
    if (length > HASH_SLOT_BYTES) return this.longHashes.get(position)?.equals(hash) === true;
    const at = slot * HASH_SLOT_BYTES;
    for (let i = 0; i < length; i++) if (this.hashes[at + i] !== hash[i]) return false;
    return true;
  }

  /**
   * Over maxKeys: the oldest goes. Keys past the window are swept from the front every so
   * often (and dropped by check() when met), not on every insert: that walk is the scan's cost.
   */
  private evict(now: number): void {
    const { maxKeys, windowMs } = this.options;
    if (this.written.size > maxKeys && this.skipStale()) this.forgetOldest();
    if (++this.sinceSweep >= SWEEP_EVERY) {
      this.sinceSweep = 0;
      while (this.skipStale()) {
        if (now - this.timestamps[this.head & (this.capacity - 1)] <= windowMs) break;
        this.forgetOldest();
      }
    }
  }

  /** Moves `head` past stale positions; whether a held one is left at it. */
  private skipStale(): boolean {
    while (this.head < this.tail) {
      const slot = this.head & (this.capacity - 1);
      const key = this.keys[slot]!;
      if (this.written.get(key) === this.head) return true;
      this.release(this.head, slot);
    }
    return false;
  }

  private forgetOldest(): void {
    const slot = this.head & (this.capacity - 1);
    this.written.delete(this.keys[slot]!);
    this.release(this.head, slot);
  }

  /** The ring's oldest position leaves it (its key is no longer held there). */
  private release(position: number, slot: number): void {
    this.keys[slot] = undefined;
    if (this.hashLengths[slot] > HASH_SLOT_BYTES) this.longHashes.delete(position);
    this.head += 1;
  }

  /**
   * The ring is full: stale positions at its front go first; then it doubles while it is at
   * most twice the table's bound, else (mostly stale: keys remembered again or expired through
   * check) the held keys are copied into a fresh ring in their order, with new positions.
   */
  private makeRoom(): void {
    this.skipStale();
    if (this.tail - this.head < this.capacity) return;
    if (this.capacity < 2 * (this.options.maxKeys + 1)) this.resize(this.capacity * 2, false);
    else this.resize(this.capacity, true);
  }

  private resize(capacity: number, dropStale: boolean): void {
    const old = {
      mask: this.capacity - 1,
      keys: this.keys,
      baseOffsets: this.baseOffsets,
      counts: this.counts,
      timestamps: this.timestamps,
      hashLengths: this.hashLengths,
      hashes: this.hashes,
    };
    const oldLong = new Map(this.longHashes);
    this.longHashes.clear();
    this.capacity = capacity;
    this.keys = new Array<string | undefined>(capacity);
    this.baseOffsets = new Float64Array(capacity);
    this.counts = new Uint32Array(capacity);
    this.timestamps = new Float64Array(capacity);
    this.hashLengths = new Uint8Array(capacity);
    this.hashes = new Uint8Array(capacity * HASH_SLOT_BYTES);
    const mask = capacity - 1;
    let next = dropStale ? 0 : this.head;
    for (let position = this.head; position < this.tail; position++) {
      const from = position & old.mask;
      const key = old.keys[from]!;
      if (dropStale && this.written.get(key) !== position) continue;
      const to = next & mask;
      this.keys[to] = key;
      this.baseOffsets[to] = old.baseOffsets[from];
      this.counts[to] = old.counts[from];
      this.timestamps[to] = old.timestamps[from];
      this.hashLengths[to] = old.hashLengths[from];
      this.hashes.set(
        old.hashes.subarray(from * HASH_SLOT_BYTES, (from + 1) * HASH_SLOT_BYTES),
        to * HASH_SLOT_BYTES,
      );
      const long = oldLong.get(position);
      if (long) this.longHashes.set(next, long);
      if (dropStale) this.written.set(key, next);
      next += 1;
    }
    if (dropStale) {
      this.head = 0;
      this.tail = next;
    }
  }
}
