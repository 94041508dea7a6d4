import { KeySlotIndex } from './key-slot-index';

/** The slot filed under `hash`, found by walking as the key table does (slots stand for keys). */
function lookup(index: KeySlotIndex, slot: number, hash: number): boolean {
  for (let place = index.start(hash); ; place = index.next(place)) {
    const at = index.slotAt(place);
    if (at < 0) return false;
    if (at === slot && index.hashAt(place) === hash) return true;
  }
}

describe('KeySlotIndex', () => {
  it('finds what was added and not what was removed', () => {
    const index = new KeySlotIndex(8);
    index.add(0, 5);
    index.add(1, 13); // the same start as 5: goes to the next place
    expect(lookup(index, 0, 5)).toBe(true);
    expect(lookup(index, 1, 13)).toBe(true);
    index.remove(index.placeOf(0, 5));
    expect(lookup(index, 0, 5)).toBe(false);
    expect(lookup(index, 1, 13)).toBe(true);
  });

  it('keeps every entry reachable through removals in runs that wrap around', () => {
    // Small index, hashes crowded on few starts near its end: runs wrap past place 0.
    const places = 64;
    let seed = 12345;
    const random = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;
    const index = new KeySlotIndex(places);
    const held = new Map<number, number>(); // slot -> hash
    let nextSlot = 0;
    for (let step = 0; step < 20_000; step++) {
      if (held.size < places / 2 && (held.size === 0 || random() < 0.55)) {
        const hash = 56 + Math.floor(random() * 12) + places * Math.floor(random() * 100);
        index.add(nextSlot, hash);
        held.set(nextSlot++, hash);
      } else {
        const slots = [...held.keys()];
        const slot = slots[Math.floor(random() * slots.length)];
        index.remove(index.placeOf(slot, held.get(slot)!));
        held.delete(slot);
      }
      if (step % 97 === 0) {
        for (const [slot, hash] of held) expect(lookup(index, slot, hash)).toBe(true);
      }
    }
    let filled = 0;
    for (let place = 0; place < places; place++) if (index.slotAt(place) >= 0) filled += 1;
    expect(filled).toBe(held.size);
  });
});
