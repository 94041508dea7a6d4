/**
 * The leader key table's index (idempotency-keys.ts): an open-addressing hash table from a key's
 * 32-bit hash (key-hash.ts) to the ring slot that holds the key, in two typed arrays. A V8 Map of
 * key strings was most of what a keyed append cost the leader: a string kept per key for the
 * GC to copy out of the young generation and trace, and a Map entry per key; here an entry is
 * two int32s, and the caller compares the key itself only where the hash matches.
 *
 * Linear probing at a load of at most one half (the table holds at most half as many entries as
 * it has places); a removal shifts the entries after it back instead of leaving a tombstone,
 * so lookups never walk over deleted places.
 *
 * Concurrency: plain synchronous code, owned by one table.
 */

/** Places hold an entry or nothing; a lookup walks them with start/next until slotAt is -1. */
export class KeySlotIndex {
  /** Ring slot + 1 per place; 0 = empty. */
  private readonly slots: Int32Array;
  /** The key hash of the entry at each place. */
  private readonly hashes: Int32Array;
  private readonly mask: number;

  /** `places` is a power of two, at least twice the most entries it will hold. */
  constructor(places: number) {
    this.slots = new Int32Array(places);
    this.hashes = new Int32Array(places);
    this.mask = places - 1;
  }

  /** Where a walk for `hash` starts. */
  start(hash: number): number {
    return hash & this.mask;
  }

  next(place: number): number {
    return (place + 1) & this.mask;
  }

  /** The ring slot at `place`, or -1 when the place is empty (the walk ends there). */
  slotAt(place: number): number {
    return this.slots[place] - 1;
  }

  hashAt(place: number): number {
    return this.hashes[place];
  }

  /** Fills an empty `place` (one a walk for `hash` ended at). */
  fill(place: number, slot: number, hash: number): void {
    this.slots[place] = slot + 1;
    this.hashes[place] = hash;
  }

  /** Adds `slot` under `hash` at the first empty place of its walk. */
  add(slot: number, hash: number): void {
    let place = this.start(hash);
    while (this.slots[place] !== 0) place = this.next(place);
    this.fill(place, slot, hash);
  }

  /** Where `slot`, filed under `hash`, sits; it must be in the index. */
  placeOf(slot: number, hash: number): number {
    let place = this.start(hash);
    while (this.slots[place] !== slot + 1) place = this.next(place);
    return place;
  }

  /**
   * Empties `place` and moves back each later entry of the run that may sit there (its walk
   * starts at or before it), so every entry stays reachable from its start without tombstones.
   */
  remove(place: number): void {
    const { slots, hashes, mask } = this;
    let hole = place;
    for (let at = (place + 1) & mask; slots[at] !== 0; at = (at + 1) & mask) {
      const home = hashes[at] & mask;
      // The entry may move to the hole when the hole lies on its walk: home .. at, cyclically.
      if (((at - home) & mask) >= ((at - hole) & mask)) {
        slots[hole] = slots[at];
        hashes[hole] = hashes[at];
        hole = at;
      }
    }
    slots[hole] = 0;
  }
}
