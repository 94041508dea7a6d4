import { idempotencyTagProblem, keyedPartsProblem } from './batch-extension';
import {
  batchKeys,
  batchMessages,
  checkBatch,
  decodeBatches,
  encodeBatch,
  type BatchInput,
} from './record-batch';

const base: BatchInput = {
  baseOffset: 7,
  epoch: 3,
  timestamp: 1_700_000_000_000,
  producerId: 0,
  sequence: 0,
  messages: [Buffer.from('a'), Buffer.from('bc')],
};
const tag = { key: 'order-42', hash: Buffer.from('0123456789abcdef') };

describe('batch extension', () => {
  it('a batch without a key reads as before: no extension', () => {
    const batch = encodeBatch(base);
    expect(checkBatch(batch).ok).toBe(true);
    expect(batchKeys(batch)).toEqual([]);
    expect(batch.length).toBe(48 + 4 + 1 + 4 + 2);
  });

  it('a keyed batch keeps its messages and gives its key and hash back', () => {
    const batch = encodeBatch({ ...base, idempotency: tag });
    const check = checkBatch(batch);
    expect(check.ok && check.header.count).toBe(2);
    expect(batchMessages(batch).map(String)).toEqual(['a', 'bc']);
    const read = batchKeys(batch);
    expect(read).toHaveLength(1);
    expect(read[0].count).toBe(2);
    expect(read[0].tag.key).toBe('order-42');
    expect(read[0].tag.hash.equals(tag.hash)).toBe(true);
    expect(decodeBatches(batch)[0].messages.map(String)).toEqual(['a', 'bc']);
  });

  it('finds the key of a batch among others', () => {
    const first = encodeBatch(base);
    const second = encodeBatch({ ...base, baseOffset: 9, idempotency: tag });
    const both = Buffer.concat([first, second]);
    expect(batchKeys(both, first.length)[0]?.tag.key).toBe('order-42');
  });

  it('covers the extension with the CRC', () => {
    const batch = encodeBatch({ ...base, idempotency: tag });
    batch[batch.length - 20] ^= 0x01;
    const check = checkBatch(batch);
    expect(check.ok).toBe(false);
    expect(!check.ok && check.reason).toBe('checksum');
  });

  it.each([
    ['an unknown version', (b: Buffer, at: number) => b.writeUInt8(9, at)],
    ['a key length past the end', (b: Buffer, at: number) => b.writeUInt8(250, at + 1)],
    ['a hash length that leaves bytes over', (b: Buffer, at: number) => b.writeUInt8(3, at + 10)],
    ['a key byte that is not visible ASCII', (b: Buffer, at: number) => b.writeUInt8(0x20, at + 3)],
  ])('refuses %s as framing (CRC not checked)', (_name, damage) => {
    const batch = encodeBatch({ ...base, idempotency: tag });
    const at = 48 + 4 + 1 + 4 + 2;
    damage(batch, at);
    const check = checkBatch(batch, 0, batch.length, false);
    expect(!check.ok && check.reason).toBe('framing');
  });

  it.each([
    ['', 'the key is empty'],
    ['x'.repeat(256), 'more than 255'],
    ['has space', 'visible ASCII'],
    ['caf\u00e9', 'visible ASCII'],
  ])('refuses key %j', (key, why) => {
    expect(idempotencyTagProblem({ key, hash: Buffer.alloc(16) })).toContain(why);
  });

  it('accepts 255 visible ASCII characters', () => {
    expect(idempotencyTagProblem({ key: '~'.repeat(255), hash: Buffer.alloc(32) })).toBeNull();
  });

  describe('several keyed requests in one batch (version 2)', () => {
    const three = {
      ...base,
      messages: ['a', 'bc', 'd'].map((m) => Buffer.from(m)),
      keyedParts: [
        { tag: { key: 'first', hash: Buffer.from('h1') }, count: 2 },
        { tag: { key: 'second', hash: Buffer.alloc(0) }, count: 1 },
      ],
    };

    it('gives every key back with the records it owns, in order', () => {
      const batch = encodeBatch(three);
      const check = checkBatch(batch);
      expect(check.ok && check.header.count).toBe(3);
      expect(batchMessages(batch).map(String)).toEqual(['a', 'bc', 'd']);
      const parts = batchKeys(batch);
      expect(parts.map((p) => [p.tag.key, String(p.tag.hash), p.count])).toEqual([
        ['first', 'h1', 2],
        ['second', '', 1],
      ]);
    });

    it('writes one part as version 1, byte for byte', () => {
      const one = encodeBatch({ ...base, keyedParts: [{ tag, count: 2 }] });
      expect(one.equals(encodeBatch({ ...base, idempotency: tag }))).toBe(true);
    });

    it.each([
      [
        'counts that do not add up to the records',
        (b: Buffer, at: number) => b.writeUInt32BE(1, at + 3),
      ],
      ['one part only', (b: Buffer, at: number) => b.writeUInt16BE(1, at + 1)],
      ['a part without records', (b: Buffer, at: number) => b.writeUInt32BE(0, at + 3)],
      ['a key length past the end', (b: Buffer, at: number) => b.writeUInt8(250, at + 7)],
      [
        'a key byte that is not visible ASCII',
        (b: Buffer, at: number) => b.writeUInt8(0x7f, at + 8),
      ],
    ])('refuses %s as framing (CRC not checked)', (_name, damage) => {
      const batch = encodeBatch(three);
      damage(batch, 48 + 3 * 4 + 4);
      const check = checkBatch(batch, 0, batch.length, false);
      expect(!check.ok && check.reason).toBe('framing');
    });

    it.each([
      [[], 3, '0 keyed parts'],
      [[{ tag, count: 2 }], 3, 'cover 2 records of a batch of 3'],
      [
        [
          { tag, count: 0 },
          { tag, count: 3 },
        ],
        3,
        'a keyed part of 0 records',
      ],
      [[{ tag: { key: 'a b', hash: Buffer.alloc(0) }, count: 3 }], 3, 'visible ASCII'],
    ])('refuses parts %j for %i records', (parts, records, why) => {
      expect(keyedPartsProblem(parts, records)).toContain(why);
    });
  });
});
