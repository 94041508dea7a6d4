import {
  BATCH_HEADER_BYTES,
  batchMessage,
  batchMessages,
  checkBatch,
  decodeBatches,
  encodeBatch,
  readBatchHeader,
  readInt64,
  stampBaseOffset,
  writeInt64,
} from './record-batch';

const input = {
  baseOffset: 42,
  epoch: 7,
  timestamp: 1_700_000_000_123,
  producerId: 2 ** 40 + 5,
  sequence: 9,
  messages: [Buffer.from('a'), Buffer.alloc(0), Buffer.from('hello world')],
};

describe('record batch', () => {
  describe('encodeBatch / decode', () => {
    it('round-trips header fields and messages', () => {
      const buf = encodeBatch(input);
      expect(buf.length).toBe(BATCH_HEADER_BYTES + 3 * 4 + 1 + 0 + 11);
      const check = checkBatch(buf);
      expect(check.ok).toBe(true);
      expect(readBatchHeader(buf)).toMatchObject({
        baseOffset: 42,
        size: buf.length,
        epoch: 7,
        count: 3,
        timestamp: input.timestamp,
        producerId: input.producerId,
        sequence: 9,
      });
      expect(batchMessages(buf).map(String)).toEqual(['a', '', 'hello world']);
      expect(batchMessage(buf, 0, 2).toString()).toBe('hello world');
    });

    it('keeps the documented byte layout (big-endian, length excludes the first 12 bytes)', () => {
      const buf = encodeBatch({ ...input, messages: [Buffer.from('xy')] });
      expect(buf.readBigInt64BE(0)).toBe(42n);
      expect(buf.readInt32BE(8)).toBe(buf.length - 12);
      expect(buf.readInt32BE(16)).toBe(7);
      expect(buf.readInt32BE(20)).toBe(1);
      expect(buf.readBigInt64BE(24)).toBe(BigInt(input.timestamp));
      expect(buf.readBigInt64BE(32)).toBe(BigInt(input.producerId));
      expect(buf.readBigInt64BE(40)).toBe(9n);
      expect(buf.readInt32BE(48)).toBe(2);
      expect(buf.subarray(52).toString()).toBe('xy');
    });

    it('stamping the base offset leaves the CRC valid', () => {
      const buf = encodeBatch(input);
      stampBaseOffset(buf, 2 ** 50);
      const check = checkBatch(buf);
      expect(check.ok && check.header.baseOffset).toBe(2 ** 50);
    });

    it.each([0, 1, 2 ** 32 - 1, 2 ** 32, 2 ** 53 - 1, -1, -(2 ** 40)])('int64 %p', (v) => {
      const b = Buffer.alloc(8);
      writeInt64(b, v, 0);
      expect(readInt64(b, 0)).toBe(v);
      expect(b.readBigInt64BE(0)).toBe(BigInt(v));
    });

    it('decodeBatches walks back-to-back batches', () => {
      const a = encodeBatch({ ...input, baseOffset: 0 });
      const b = encodeBatch({ ...input, baseOffset: 3, messages: [Buffer.from('z')] });
      const out = decodeBatches(Buffer.concat([a, b]));
      expect(out.map((d) => d.header.baseOffset)).toEqual([0, 3]);
      expect(out[1].messages.map(String)).toEqual(['z']);
    });
  });

  describe('checkBatch corruption cases', () => {
    const good = encodeBatch(input);
    const cases: [string, (b: Buffer) => Buffer, string][] = [
      ['a half-written batch is incomplete', (b) => b.subarray(0, b.length - 3), 'incomplete'],
      ['a header cut before the length is incomplete', (b) => b.subarray(0, 10), 'incomplete'],
      ['a flipped payload byte fails the checksum', (b) => flip(b, b.length - 1), 'checksum'],
      ['a flipped epoch byte fails the checksum', (b) => flip(b, 17), 'checksum'],
      ['a flipped CRC byte fails the checksum', (b) => flip(b, 13), 'checksum'],
      ['an impossible length is a framing error', (b) => setInt(b, 8, 3), 'framing'],
      ['a length past the buffer is incomplete', (b) => setInt(b, 8, b.length + 100), 'incomplete'],
    ];
    it.each(cases)('%s', (_name, damage, reason) => {
      const check = checkBatch(damage(Buffer.from(good)));
      expect(check.ok).toBe(false);
      expect(!check.ok && check.reason).toBe(reason);
    });

    it('records that do not fill the batch exactly are a framing error (even with a right CRC)', () => {
      const bad = encodeBatch({ ...input, messages: [Buffer.from('abc')] });
      // Claim 4 bytes instead of 3 for the only record.
      const forged = Buffer.from(bad);
      forged.writeInt32BE(4, BATCH_HEADER_BYTES);
      const check = checkBatch(forged, 0, forged.length, false);
      expect(!check.ok && check.reason).toBe('framing');
    });
  });
});

function flip(b: Buffer, i: number): Buffer {
  b[i] ^= 0xff;
  return b;
}

function setInt(b: Buffer, at: number, v: number): Buffer {
  b.writeInt32BE(v, at);
  return b;
}
