import { loadDistilledPackage } from './grpc-client';
import type { AppendBatch, AppendRequest } from './messages';
import { hasPackedParts, packParts, unpackParts } from './packed-parts';

/** An AppendStream request carrying `append`, through the codec grpc-js uses on the wire. */
function overTheWire(append: AppendBatch): AppendRequest {
  const { requestSerialize, requestDeserialize } =
    loadDistilledPackage().Replica.service.AppendStream;
  const bytes = requestSerialize({ appends: [{ ...append, request_id: 1 }] });
  return requestDeserialize(bytes).appends[0];
}

const keyed = (key: string, hash: string, count = 1): AppendBatch => ({
  messages: Array.from({ length: count }, (_, i) => Buffer.from(`${key}${i}`)),
  producer_id: 0,
  sequence: 0,
  idempotency_key: key,
  request_hash: Buffer.from(hash),
});

const asTuples = (request: AppendBatch) =>
  unpackParts(request, (index, count, key, hash) => [index, count, key, hash.toString()]);

describe('packed parts', () => {
  it('gives every part its count, key and hash back, over the wire, in part order', () => {
    const requests = [
      keyed('first', 'hash-one', 2),
      keyed('k', 'hash-two'),
      keyed('é-ü', 'hash-333', 3),
    ];
    const packed = packParts(requests)!;
    expect(packed.part_counts).toEqual([2, 1, 3]);
    expect(packed.part_hash_bytes).toBe(8);
    // A key that is not ASCII counts its UTF-8 bytes (the replica refuses it, as with `parts`).
    expect(packed.part_key_lengths).toEqual([5, 1, 5]);
    const received = overTheWire({ messages: [], producer_id: 0, sequence: 0, ...packed });
    expect(hasPackedParts(received)).toBe(true);
    expect(received.parts).toEqual([]);
    expect(asTuples(received)).toEqual([
      [0, 2, 'first', 'hash-one'],
      [1, 1, 'k', 'hash-two'],
      [2, 3, 'é-ü', 'hash-333'],
    ]);
  });

  it('leaves hashes of different lengths to `parts` (undefined)', () => {
    expect(packParts([keyed('a', 'hash-a'), keyed('b', 'hash-bb')])).toBeUndefined();
  });

  it('is not there in a request without packed fields, even after the wire', () => {
    const plain = overTheWire({ messages: [Buffer.from('m')], producer_id: 3, sequence: 1 });
    expect(hasPackedParts(plain)).toBe(false);
    const withParts = overTheWire({
      messages: [Buffer.from('m')],
      producer_id: 0,
      sequence: 0,
      parts: [{ idempotency_key: 'a', request_hash: Buffer.from('h'), count: 1 }],
    });
    expect(hasPackedParts(withParts)).toBe(false);
  });

  describe('fields that do not fit together: what is wrong, nothing made', () => {
    const packed = (): AppendBatch => ({
      messages: [],
      producer_id: 0,
      sequence: 0,
      ...packParts([keyed('ab', 'h1'), keyed('cde', 'h2')])!,
    });
    it.each([
      ['a key length missing', { part_key_lengths: [2] }, /1 key lengths for 2 parts/],
      [
        'key lengths past the keys',
        { part_key_lengths: [2, 4] },
        /add up to 6 bytes, part_keys has 5/,
      ],
      ['key lengths short of the keys', { part_key_lengths: [1, 3] }, /add up to 4 bytes/],
      ['a hash byte missing', { part_hashes: Buffer.from('h1h') }, /3 hash bytes for 2 parts of 2/],
      ['the wrong hash length', { part_hash_bytes: 3 }, /4 hash bytes for 2 parts of 3/],
    ])('%s', (_why, change, message) => {
      const made: unknown[] = [];
      const read = unpackParts({ ...packed(), ...change }, (index) => made.push(index));
      expect(read).toMatch(message);
      expect(made).toEqual([]);
    });
    it('a hash field alone makes a request with (malformed) packed parts', () => {
      const request = { messages: [], producer_id: 0, sequence: 0, part_hashes: Buffer.from('x') };
      expect(hasPackedParts(request)).toBe(true);
      expect(unpackParts(request, () => 0)).toMatch(/1 hash bytes for 0 parts/);
    });
  });
});
