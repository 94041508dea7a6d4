import { WritingKeys } from './writing-keys';

const hashOf = (n: number) => Buffer.from([n & 0xff, (n >> 8) & 0xff]);

describe('WritingKeys', () => {
  it('holds a key for its request hash until deleted', () => {
    const keys = new WritingKeys();
    expect(keys.get('a', 7)).toBeUndefined();
    keys.set('a', 7, hashOf(1));
    expect(keys.get('a', 7)).toEqual(hashOf(1));
    expect(keys.size).toBe(1);
    keys.set('a', 7, hashOf(2));
    expect(keys.get('a', 7)).toEqual(hashOf(2));
    expect(keys.size).toBe(1);
    keys.delete('a', 7);
    expect(keys.get('a', 7)).toBeUndefined();
    expect(keys.size).toBe(0);
    keys.delete('a', 7); // not held: nothing happens
    expect(keys.size).toBe(0);
  });

  it('tells keys apart that share a key hash, whichever is deleted first', () => {
    const keys = new WritingKeys();
    for (const key of ['x', 'y', 'z']) keys.set(key, 42, Buffer.from(key));
    expect(keys.get('w', 42)).toBeUndefined();
    keys.delete('x', 42);
    expect(keys.get('x', 42)).toBeUndefined();
    expect(keys.get('y', 42)).toEqual(Buffer.from('y'));
    expect(keys.get('z', 42)).toEqual(Buffer.from('z'));
    keys.delete('z', 42);
    expect(keys.get('y', 42)).toEqual(Buffer.from('y'));
    expect(keys.size).toBe(1);
  });

  it('answers as a Map would through random sets and deletes, across growth and wrapped runs', () => {
    const keys = new WritingKeys();
    const reference = new Map<string, Buffer>();
    let seed = 12345;
    const random = (n: number) => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    // Few distinct key hashes (some at the top places, so runs wrap around): long probe runs.
    const keyHashOf = (key: string) => (Number(key.slice(1)) % 37) * 0x01000001 - 1;
    for (let step = 0; step < 20_000; step++) {
      const key = `k${random(1500)}`;
      const keyHash = keyHashOf(key);
      if (random(3) === 0) {
        keys.delete(key, keyHash);
        reference.delete(key);
      } else {
        const hash = hashOf(step);
        keys.set(key, keyHash, hash);
        reference.set(key, hash);
      }
      if (step % 997 === 0) {
        for (let k = 0; k < 1500; k++) {
          const probe = `k${k}`;
          expect(keys.get(probe, keyHashOf(probe))).toEqual(reference.get(probe));
        }
      }
      expect(keys.size).toBe(reference.size);
    }
    for (const [key, hash] of reference) expect(keys.get(key, keyHashOf(key))).toEqual(hash);
  });
});
