import { keyHash, randomHashKey } from './key-hash';

describe('keyHash', () => {
  // The reference implementation's test vectors (HalfSipHash-2-4, 32-bit output): key bytes
  // 00..07, messages of 0..8 bytes 00, 01, ...; each output as its 4 little-endian bytes.
  const VECTORS = [
    'a9359f5b',
    '27475ab8',
    'fa62a603',
    '8afee704',
    '2a6e4689',
    'c5fab669',
    '5863fc23',
    '8bcf63c5',
    'd0b8848f',
  ];
  const referenceKey = { k0: 0x03020100, k1: 0x07060504 };
  const littleEndian = (hash: number) => Buffer.from(Int32Array.of(hash).buffer).toString('hex');

  it('is HalfSipHash-2-4 of the key bytes', () => {
    VECTORS.forEach((expected, length) => {
      const message = String.fromCharCode(...Array.from({ length }, (_, i) => i));
      expect(littleEndian(keyHash(message, referenceKey))).toBe(expected);
    });
  });

  it('gives the same key the same hash under one secret, and another under another', () => {
    const one = randomHashKey();
    const other = { k0: one.k0 ^ 1, k1: one.k1 };
    const key = '7d444840-9dc0-11d1-b245-5ffdce74fad2';
    expect(keyHash(key, one)).toBe(keyHash(`${key}`, one));
    expect(keyHash(key, other)).not.toBe(keyHash(key, one));
  });

  it('spreads keys that differ in one character', () => {
    const secret = randomHashKey();
    const hashes = new Set<number>();
    for (let i = 0; i < 1000; i++) hashes.add(keyHash(`order-${i}`, secret) & 0xfff);
    // 1,000 keys into 4,096 buckets: a good hash leaves ~890 distinct, a poor one far fewer.
    expect(hashes.size).toBeGreaterThan(820);
  });
});
