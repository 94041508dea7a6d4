import { status as GrpcStatus } from '@grpc/grpc-js';
import { ErrorMetadata, ErrorReason, type AppendBatch } from '@distilled/proto';
import { ReplicaError } from '../errors/replica-error';
import { appendParts, splitParts } from './append-parts';

const messages = (...texts: string[]) => texts.map((text) => Buffer.from(text));
const part = (key: string, count: number) => ({
  idempotency_key: key,
  request_hash: Buffer.from(`h-${key}`),
  count,
});
const withParts = (overrides: Partial<AppendBatch> = {}): AppendBatch => ({
  messages: messages('a1', 'a2', 'b1'),
  producer_id: 0,
  sequence: 0,
  parts: [part('a', 2), part('b', 1)],
  ...overrides,
});

describe('splitParts', () => {
  it('gives each part its own messages, key and hash, in order', () => {
    const split = splitParts(withParts());
    expect(
      split.map((p) => [p.index, p.tag.key, p.messages.map(String), String(p.tag.hash)]),
    ).toEqual([
      [0, 'a', ['a1', 'a2'], 'h-a'],
      [1, 'b', ['b1'], 'h-b'],
    ]);
  });

  it.each([
    ['counts that do not add up', withParts({ parts: [part('a', 2), part('b', 2)] })],
    ['an empty part', withParts({ parts: [part('a', 3), part('b', 0)] })],
    ['a producer of its own', withParts({ producer_id: 7, sequence: 1 })],
    ['a key of its own', withParts({ idempotency_key: 'k', request_hash: Buffer.from('h') })],
    ['an expected offset', withParts({ expected_offset: 0 })],
  ])('refuses %s as INVALID_ARGUMENT', (_case, request) => {
    expect(() => splitParts(request)).toThrow(
      expect.objectContaining({ code: GrpcStatus.INVALID_ARGUMENT }),
    );
  });
});

describe('appendParts', () => {
  it('hands the parts over together in order and answers each, a refused one with its own status', async () => {
    const failed: unknown[] = [];
    const handed: string[][] = [];
    const response = await appendParts(
      withParts({
        messages: messages('a1', 'b1', 'c1'),
        parts: [part('a', 1), part('b', 1), part('c', 1)],
      }),
      (parts, settle) => {
        handed.push(parts.map((p) => p.tag.key));
        // Settled in another order than the parts': each answer keeps its part's index.
        settle(2, { baseOffset: 11, count: 1, duplicate: false }, null);
        settle(1, null, ReplicaError.keyInFlight('b'));
        settle(0, { baseOffset: 10, count: 1, duplicate: true }, null);
      },
      (error) => failed.push(error),
    );
    expect(handed).toEqual([['a', 'b', 'c']]);
    expect(response.parts!.map((p) => p.request_id)).toEqual([0, 1, 2]);
    expect(response.parts![0].result).toMatchObject({ base_offset: 10, count: 1, duplicate: true });
    expect(response.parts![2].result).toMatchObject({
      base_offset: 11,
      count: 1,
      duplicate: false,
    });
    const refused = response.parts![1];
    expect(refused.result).toBeNull();
    expect(refused.error?.code).toBe(GrpcStatus.ABORTED);
    expect(refused.error?.metadata[ErrorMetadata.reason]).toBe(ErrorReason.KeyInFlight);
    expect(failed).toEqual([expect.any(ReplicaError)]); // handed over: the caller logs what it must
  });

  it('answers a part with a malformed key INVALID_ARGUMENT on its own and hands over the others', async () => {
    const handed: string[][] = [];
    const response = await appendParts(
      withParts({
        messages: messages('a1', 'b1'),
        parts: [
          part('a', 1),
          { idempotency_key: 'bad key', request_hash: Buffer.from('h'), count: 1 },
        ],
      }),
      (parts, settle) => {
        handed.push(parts.map((p) => p.tag.key));
        for (const p of parts) settle(p.index, { baseOffset: 3, count: 1, duplicate: false }, null);
      },
      () => undefined,
    );
    expect(handed).toEqual([['a']]);
    expect(response.parts![0].result).toMatchObject({ base_offset: 3 });
    expect(response.parts![1].error?.code).toBe(GrpcStatus.INVALID_ARGUMENT);
  });

  it('answers every part not settled yet with the error when handing over throws', async () => {
    const response = await appendParts(
      withParts(),
      (parts, settle) => {
        settle(parts[0].index, { baseOffset: 1, count: 2, duplicate: false }, null);
        throw new Error('bug');
      },
      () => undefined,
    );
    expect(response.parts![0].result).toMatchObject({ base_offset: 1 });
    expect(response.parts![1].error?.code).toBe(GrpcStatus.INTERNAL);
  });

  describe('with compact_parts_answer (a client that reads the compact answer)', () => {
    const three = (overrides: Partial<AppendBatch> = {}) =>
      withParts({
        messages: messages('a1', 'a2', 'b1', 'c1'),
        parts: [part('a', 2), part('b', 1), part('c', 1)],
        compact_parts_answer: true,
        ...overrides,
      });

    it('answers parts that all succeeded compactly, whatever order they settled in', async () => {
      const response = await appendParts(
        three(),
        (_parts, settle) => {
          settle(2, { baseOffset: 12, count: 1, duplicate: false }, null);
          settle(0, { baseOffset: 10, count: 2, duplicate: false }, null);
          settle(1, { baseOffset: 4, count: 1, duplicate: true }, null);
        },
        () => undefined,
      );
      expect(response.parts).toEqual([]);
      expect(response.part_base_offsets).toEqual([10, 4, 12]);
      expect(response.duplicate_parts).toEqual([1]);
    });

    it('answers in full when a part failed', async () => {
      const response = await appendParts(
        three(),
        (_parts, settle) => {
          settle(0, { baseOffset: 10, count: 2, duplicate: false }, null);
          settle(1, null, ReplicaError.keyInFlight('b'));
          settle(2, { baseOffset: 12, count: 1, duplicate: false }, null);
        },
        () => undefined,
      );
      expect(response.part_base_offsets ?? []).toEqual([]);
      expect(response.parts!.map((p) => [p.result?.base_offset ?? null, p.error?.code])).toEqual([
        [10, undefined],
        [null, GrpcStatus.ABORTED],
        [12, undefined],
      ]);
    });

    it('answers in full to a client that did not ask (it predates the compact answer)', async () => {
      const response = await appendParts(
        three({ compact_parts_answer: false }),
        (_parts, settle) => {
          settle(0, { baseOffset: 10, count: 2, duplicate: false }, null);
          settle(1, { baseOffset: 4, count: 1, duplicate: true }, null);
          settle(2, { baseOffset: 12, count: 1, duplicate: false }, null);
        },
        () => undefined,
      );
      expect(response.part_base_offsets ?? []).toEqual([]);
      expect(response.parts!.map((p) => p.result)).toEqual([
        expect.objectContaining({ base_offset: 10, count: 2, duplicate: false }),
        expect.objectContaining({ base_offset: 4, count: 1, duplicate: true }),
        expect.objectContaining({ base_offset: 12, count: 1, duplicate: false }),
      ]);
    });
  });
});
