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
 * Keys being written (offsets unknown) are in `writing` (WritingKeys, filed under the same key
 * hash); once written, a key moves to the ring with its offsets, and counts as committed as soon
 * as the high watermark passes its end. Bounded: at most `maxKeys` written keys, the oldest (in
 * log order, which is also time order) forgotten first; a key older than `windowMs` is forgotten
 * too. `writing` holds at most the appends in flight.
 *
 * A written key costs no object of its own, not even its string: the ring keeps, per slot in log
 * order, its offsets, count, time, request hash and the key's own bytes (keys are visible ASCII,
 * one byte per character; a key longer than a slot holds is kept aside as a string), and a
 * KeySlotIndex finds a key's slot by a keyed 32-bit hash of it (key-hash.ts), comparing the key
 * byte by byte where the hash matches, so answers are exact. A V8 Map of key strings was most of
 * what a key cost the leader: its lookups on a large table and the key strings the GC copied
 * out of the young generation and traced.
 *
 * Concurrency: owned by one LeaderTerm; plain synchronous updates on the event loop, so a check
 * and the `begin` that follows it cannot interleave with another request.
 */
import type { IdempotencyTag } from '@distilled/log-store';
import { keyHash, randomHashKey, type HashKey } from './key-hash';
import { KeySlotIndex } from './key-slot-index';
import { WritingKeys } from './writing-keys';

/** How many inserts pass between two sweeps of expired keys. */
const SWEEP_EVERY = 1024;
/** Hash bytes a ring slot holds; a longer hash (up to 64 bytes) is kept aside, by slot. */
const HASH_SLOT_BYTES = 16;
/**
 * Key bytes a ring slot holds: a UUID's 36 and a little more. A longer key (up to 255) is kept
 * aside as its string, by slot, costing what every key cost before.
 */
const KEY_SLOT_BYTES = 40;
/** The ring's first size (a power of two); it doubles as keys are remembered. */
const FIRST_CAPACITY = 1024;
/** Index places per ring slot: the index stays at most half full. */
const INDEX_PLACES_PER_SLOT = 2;

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
  /** The secret of the key hash: drawn at random unless given (specs that need collisions). */
  hashKey?: HashKey;
}

export class IdempotencyKeyTable {
  /** Keys being written: the hash of the request that holds each. */
  private readonly writing = new WritingKeys();
  /** The secret of this table's key hash. */
  private readonly hashKey: HashKey;
  /** Written keys held (each in one ring slot, found through the index). */
  private held = 0;
  /**
   * The ring, in log order: position p (counted up since the table began or was last
   * compacted) sits at slot p & (capacity - 1); `head` is the oldest position still in the ring,
   * `tail` the next. A slot whose key length is 0 no longer holds its key (forgotten, or
   * remembered again further on) and is skipped. Eviction and the window sweep take the oldest
   * from `head`.
   */
  private capacity = FIRST_CAPACITY;
  private baseOffsets = new Float64Array(FIRST_CAPACITY);
  private counts = new Uint32Array(FIRST_CAPACITY);
  private timestamps = new Float64Array(FIRST_CAPACITY);
  private hashLengths = new Uint8Array(FIRST_CAPACITY);
  private hashes = new Uint8Array(FIRST_CAPACITY * HASH_SLOT_BYTES);
  /** The key's length (1..255), or 0 when the slot holds no key. */
  private keyLengths = new Uint8Array(FIRST_CAPACITY);
  private keyBytes = new Uint8Array(FIRST_CAPACITY * KEY_SLOT_BYTES);
  /** Each key's hash, so it can be found in the index (and the index rebuilt) without its bytes. */
  private keyHashes = new Int32Array(FIRST_CAPACITY);
  /** Hashes longer than a slot holds, by slot (the API sends 16 bytes; others may not). */
  private longHashes = new Map<number, Buffer>();
  /** Keys longer than a slot holds, by slot. */
  private longKeys = new Map<number, string>();
  private index = new KeySlotIndex(FIRST_CAPACITY * INDEX_PLACES_PER_SLOT);
  private head = 0;
  private tail = 0;
  /** Inserts since the last sweep of keys past the window. */
  private sinceSweep = 0;

  constructor(private readonly options: IdempotencyKeyTableOptions) {
    this.hashKey = options.hashKey ?? randomHashKey();
  }

  /** Written keys remembered (not counting those being written). */
  get size(): number {
    return this.held;
  }

  /**
   * What a request with `tag` should get at `now`, given the leader's high watermark. Another
   * hash is a mismatch whatever the first request's state: reusing a key for another body is
   * the client's mistake, and retrying will not fix it.
   */
  check(
    tag: IdempotencyTag,
    highWatermark: number,
    now: number,
    keyHashed = this.hashOf(tag.key),
  ): KeyCheck {
    const writing = this.writing.get(tag.key, keyHashed);
    if (writing !== undefined) return writing.equals(tag.hash) ? IN_FLIGHT : MISMATCH;
    const place = this.find(tag.key, keyHashed);
    const slot = this.index.slotAt(place);
    if (slot < 0) return NEW;
    if (now - this.timestamps[slot] > this.options.windowMs) {
      this.forget(place, slot);
      return NEW;
    }
    if (!this.sameHash(slot, tag.hash)) return MISMATCH;
    const baseOffset = this.baseOffsets[slot];
    const count = this.counts[slot];
    if (baseOffset + count > highWatermark) return IN_FLIGHT;
    return { kind: 'replay', baseOffset, count };
  }

  /**
   * What this table files `key` under (its secret never changes): a caller that checks a key and
   * then remembers it passes this to both, so the key is hashed once.
   */
  hashOf(key: string): number {
    return keyHash(key, this.hashKey);
  }

  /** The key's batch is being appended: later requests with it wait for its outcome. */
  begin(tag: IdempotencyTag, keyHashed = this.hashOf(tag.key)): void {
    this.writing.set(tag.key, keyHashed, tag.hash);
  }

  /** The append failed before it was written (nothing stored): the key is free again. */
  abandon(tag: IdempotencyTag, keyHashed = this.hashOf(tag.key)): void {
    this.writing.delete(tag.key, keyHashed);
  }

  /**
   * The key's batch is in the log at these offsets (from an append, or found by the scan).
   * The key and hash are copied into the ring: a view into a chunk the scan read does not pin
   * the chunk, and the request's key string is not kept.
   */
  remember(
    tag: IdempotencyTag,
    baseOffset: number,
    count: number,
    timestamp: number,
    keyHashed = this.hashOf(tag.key),
  ): void {
    const { key, hash } = tag;
    this.writing.delete(key, keyHashed);
    if (this.tail - this.head === this.capacity) this.makeRoom();
    let place = this.find(key, keyHashed);
    const earlier = this.index.slotAt(place);
    if (earlier >= 0) {
      // A key remembered again is held here now; its earlier slot goes stale.
      this.forget(place, earlier);
      place = this.find(key, keyHashed);
    }
    const slot = this.tail++ & (this.capacity - 1);
    this.baseOffsets[slot] = baseOffset;
    this.counts[slot] = count;
    this.timestamps[slot] = timestamp;
    this.hashLengths[slot] = hash.length;
    if (hash.length <= HASH_SLOT_BYTES) {
      this.hashes.set(hash, slot * HASH_SLOT_BYTES);
    } else {
      this.longHashes.set(slot, Buffer.from(hash));
    }
    const length = key.length;
    this.keyLengths[slot] = length;
    if (length <= KEY_SLOT_BYTES) {
      const at = slot * KEY_SLOT_BYTES;
      for (let i = 0; i < length; i++) this.keyBytes[at + i] = key.charCodeAt(i);
    } else {
      this.longKeys.set(slot, key);
    }
    this.keyHashes[slot] = keyHashed;
    this.index.fill(place, slot, keyHashed);
    this.held += 1;
    this.evict(timestamp);
  }

  /** The index place holding `key`, or the empty place its walk ended at (slotAt is -1). */
  private find(key: string, keyHashed: number): number {
    const { index } = this;
    let place = index.start(keyHashed);
    for (;;) {
      const slot = index.slotAt(place);
      if (slot < 0) return place;
      if (index.hashAt(place) === keyHashed && this.sameKey(slot, key)) return place;
      place = index.next(place);
    }
  }

  private sameKey(slot: number, key: string): boolean {
    const length = key.length;
    if (this.keyLengths[slot] !== length) return false;
    if (length > KEY_SLOT_BYTES) return this.longKeys.get(slot) === key;
    const at = slot * KEY_SLOT_BYTES;
    for (let i = 0; i < length; i++) if (this.keyBytes[at + i] !== key.charCodeAt(i)) return false;
    return true;
  }

  private sameHash(slot: number, hash: Buffer): boolean {
    const length = this.hashLengths[slot];
    if (hash.length !== length) return false;
    if (length > HASH_SLOT_BYTES) return this.longHashes.get(slot)?.equals(hash) === true;
    const at = slot * HASH_SLOT_BYTES;
    for (let i = 0; i < length; i++) if (this.hashes[at + i] !== hash[i]) return false;
    return true;
  }

  /** The key at `slot` (found at index `place`) is no longer held; its slot stays, stale. */
  private forget(place: number, slot: number): void {
    this.index.remove(place);
    this.keyLengths[slot] = 0;
    if (this.longKeys.size > 0) this.longKeys.delete(slot);
    if (this.longHashes.size > 0) this.longHashes.delete(slot);
    this.held -= 1;
  }

  /**
   * Over maxKeys: the oldest goes. Keys past the window are swept from the front every so
   * often (and dropped by check() when met), not on every insert: that walk is the scan's cost.
   */
  private evict(now: number): void {
    const { maxKeys, windowMs } = this.options;
    if (this.held > maxKeys && this.skipStale()) this.forgetOldest();
    if (++this.sinceSweep >= SWEEP_EVERY) {
      this.sinceSweep = 0;
      while (this.skipStale()) {
        if (now - this.timestamps[this.head & (this.capacity - 1)] <= windowMs) break;
        this.forgetOldest();
      }
    }
  }

  /** Moves `head` past stale slots; whether a held key is left at it. */
  private skipStale(): boolean {
    const mask = this.capacity - 1;
    while (this.head < this.tail) {
      if (this.keyLengths[this.head & mask] !== 0) return true;
      this.head += 1;
    }
    return false;
  }

  /** The key at `head` (held) is forgotten and leaves the ring. */
  private forgetOldest(): void {
    const slot = this.head & (this.capacity - 1);
    this.forget(this.index.placeOf(slot, this.keyHashes[slot]), slot);
    this.head += 1;
  }

  /**
   * The ring is full: stale slots at its front go first; then it doubles while it is at most
   * twice the table's bound, else (mostly stale: keys remembered again or expired through
   * check) the held keys are copied into a fresh ring in their order. Either way the index is
   * rebuilt for the new slots.
   */
  private makeRoom(): void {
    this.skipStale();
    if (this.tail - this.head < this.capacity) return;
    if (this.capacity < 2 * (this.options.maxKeys + 1)) this.resize(this.capacity * 2);
    else this.resize(this.capacity);
  }

  /** Copies the held keys, in order, into a ring of `capacity` slots from position 0. */
  private resize(capacity: number): void {
    const old = {
      mask: this.capacity - 1,
      baseOffsets: this.baseOffsets,
      counts: this.counts,
      timestamps: this.timestamps,
      hashLengths: this.hashLengths,
      hashes: this.hashes,
      keyLengths: this.keyLengths,
      keyBytes: this.keyBytes,
      keyHashes: this.keyHashes,
      longHashes: this.longHashes,
      longKeys: this.longKeys,
    };
    this.capacity = capacity;
    this.baseOffsets = new Float64Array(capacity);
    this.counts = new Uint32Array(capacity);
    this.timestamps = new Float64Array(capacity);
    this.hashLengths = new Uint8Array(capacity);
    this.hashes = new Uint8Array(capacity * HASH_SLOT_BYTES);
    this.keyLengths = new Uint8Array(capacity);
    this.keyBytes = new Uint8Array(capacity * KEY_SLOT_BYTES);
    this.keyHashes = new Int32Array(capacity);
    this.longHashes = new Map();
    this.longKeys = new Map();
    this.index = new KeySlotIndex(capacity * INDEX_PLACES_PER_SLOT);
    // Held slots are copied in runs (consecutive in the old ring, no stale slot between), each
    // array with one set() per run: one view per run, not per key.
    let to = 0;
    const copyRun = (from: number, length: number) => {
      const copy = (
        target: Uint8Array | Int32Array | Uint32Array | Float64Array,
        source: typeof target,
        width: number,
      ) => target.set(source.subarray(from * width, (from + length) * width), to * width);
      copy(this.baseOffsets, old.baseOffsets, 1);
      copy(this.counts, old.counts, 1);
      copy(this.timestamps, old.timestamps, 1);
      copy(this.hashLengths, old.hashLengths, 1);
      copy(this.hashes, old.hashes, HASH_SLOT_BYTES);
      copy(this.keyLengths, old.keyLengths, 1);
      copy(this.keyBytes, old.keyBytes, KEY_SLOT_BYTES);
      copy(this.keyHashes, old.keyHashes, 1);
      for (let i = 0; i < length; i++) {
        const slot = to + i;
        this.index.add(slot, this.keyHashes[slot]);
        if (old.longHashes.size > 0) {
          const longHash = old.longHashes.get(from + i);
          if (longHash) this.longHashes.set(slot, longHash);
        }
        if (old.longKeys.size > 0) {
          const longKey = old.longKeys.get(from + i);
          if (longKey !== undefined) this.longKeys.set(slot, longKey);
        }
      }
      to += length;
    };
    let runStart = -1;
    let runLength = 0;
    for (let position = this.head; position < this.tail; position++) {
      const from = position & old.mask;
      const held = old.keyLengths[from] !== 0;
      if (runLength > 0 && (!held || from !== runStart + runLength)) {
        copyRun(runStart, runLength);
        runLength = 0;
      }
      if (!held) continue;
      if (runLength === 0) runStart = from;
      runLength += 1;
    }
    if (runLength > 0) copyRun(runStart, runLength);
    this.head = 0;
    this.tail = to;
  }
}
