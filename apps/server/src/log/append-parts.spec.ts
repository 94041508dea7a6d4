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
      split.map((p) => [p.idempotency_key, p.messages.map(String), String(p.request_hash)]),
    ).toEqual([
      ['a', ['a1', 'a2'], 'h-a'],
      ['b', ['b1'], 'h-b'],
    ]);
    expect(split.every((p) => p.producer_id === 0 && p.expected_offset === undefined)).toBe(true);
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
  it('appends the parts in order and answers each, a refused one with its own status', async () => {
    const started: string[] = [];
    const failed: unknown[] = [];
    const response = await appendParts(
      withParts({
        messages: messages('a1', 'b1', 'c1'),
        parts: [part('a', 1), part('b', 1), part('c', 1)],
      }),
      (p) => {
        started.push(p.idempotency_key!);
        if (p.idempotency_key === 'b') return Promise.reject(ReplicaError.keyInFlight('b'));
        const offset = p.idempotency_key === 'a' ? 10 : 11;
        return Promise.resolve({ baseOffset: offset, count: 1, duplicate: false });
      },
      (error) => failed.push(error),
    );
    expect(started).toEqual(['a', 'b', 'c']);
    expect(response.parts!.map((p) => p.request_id)).toEqual([0, 1, 2]);
    expect(response.parts![0].result).toMatchObject({ base_offset: 10, count: 1 });
    expect(response.parts![2].result).toMatchObject({ base_offset: 11, count: 1 });
    const refused = response.parts![1];
    expect(refused.result).toBeNull();
    expect(refused.error?.code).toBe(GrpcStatus.ABORTED);
    expect(refused.error?.metadata[ErrorMetadata.reason]).toBe(ErrorReason.KeyInFlight);
    expect(failed).toEqual([expect.any(ReplicaError)]); // handed over: the caller logs what it must
  });
});
