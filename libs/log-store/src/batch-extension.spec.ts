import { idempotencyTagProblem } from './batch-extension';
import {
  batchIdempotency,
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
    expect(batchIdempotency(batch)).toBeNull();
    expect(batch.length).toBe(48 + 4 + 1 + 4 + 2);
  });

  it('a keyed batch keeps its messages and gives its key and hash back', () => {
    const batch = encodeBatch({ ...base, idempotency: tag });
    const check = checkBatch(batch);
    expect(check.ok && check.header.count).toBe(2);
    expect(batchMessages(batch).map(String)).toEqual(['a', 'bc']);
    const read = batchIdempotency(batch);
    expect(read?.key).toBe('order-42');
    expect(read?.hash.equals(tag.hash)).toBe(true);
    expect(decodeBatches(batch)[0].messages.map(String)).toEqual(['a', 'bc']);
  });

  it('finds the key of a batch among others', () => {
    const first = encodeBatch(base);
    const second = encodeBatch({ ...base, baseOffset: 9, idempotency: tag });
    const both = Buffer.concat([first, second]);
    expect(batchIdempotency(both, first.length)?.key).toBe('order-42');
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
});
