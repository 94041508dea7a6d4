import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { status as GrpcStatus } from '@grpc/grpc-js';
import { ErrorReason } from '@distilled/proto';
import { createTestApp, injector } from '../testing/create-test-app';
import { callError, type FakeReplicaGateway } from '../testing/fake-replica-gateway';

const LIMIT = 64;

describe('POST /Data/Batch and the write headers', () => {
  let app: NestFastifyApplication;
  let gateway: FakeReplicaGateway;
  let inject: (options: InjectOptions | string) => Promise<LightMyRequestResponse>;

  beforeEach(async () => {
    ({ app, gateway } = await createTestApp({
      maxMessageBytes: LIMIT,
      maxBatchBytes: 4 * LIMIT,
      writeTimeoutMs: 2000,
    }));
    inject = injector(app);
  });
  afterEach(() => app.close());

  const batch = (body: unknown, headers: Record<string, string> = {}) =>
    inject({
      method: 'POST',
      url: '/Data/Batch',
      headers: { 'content-type': 'application/json', ...headers },
      payload: JSON.stringify(body),
    });
  const single = (message: string, headers: Record<string, string> = {}) =>
    inject({
      method: 'POST',
      url: '/Data',
      headers: { 'content-type': 'application/json', ...headers },
      payload: JSON.stringify({ message }),
    });
  const stored = () => gateway.log.map(String);

  describe('appendBatch', () => {
    it('stores the messages at contiguous offsets and answers firstOffset and count', async () => {
      await single('before');
      const res = await batch({ messages: ['a', '', 'c'] });
      expect(res.statusCode).toBe(201);
      expect(res.json()).toEqual({ firstOffset: 1, count: 3 });
      expect(stored()).toEqual(['before', 'a', '', 'c']);
    });

    it('answers on a case-insensitive path', async () => {
      expect((await batch({ messages: ['x'] })).statusCode).toBe(201);
      const lower = await inject({
        method: 'POST',
        url: '/data/batch',
        headers: { 'content-type': 'application/json' },
        payload: '{"messages":["y"]}',
      });
      expect(lower.statusCode).toBe(201);
    });

    it('keeps a batch whole in one Append even among concurrent writes', async () => {
      gateway.appendDelayMs = 20;
      const many = Array.from({ length: 10 }, (_, i) => `b${i}`);
      const results = await Promise.all([
        single('s1'),
        batch({ messages: many }),
        single('s2'),
        batch({ messages: ['x', 'y'] }),
      ]);
      expect(results.map((r) => r.statusCode)).toEqual([201, 201, 201, 201]);
      const { firstOffset } = results[1].json<{ firstOffset: number }>();
      expect(stored().slice(firstOffset, firstOffset + 10)).toEqual(many);
      for (const call of gateway.appendCalls) {
        const messages = call.request.messages.map(String);
        const start = messages.indexOf('b0');
        if (start >= 0) expect(messages.slice(start, start + 10)).toEqual(many);
      }
    });

    it.each([
      ['an empty batch', { messages: [] }, 400, 'messages'],
      ['a non-string element', { messages: ['a', 5] }, 400, 'messages[1]'],
      ['a null element', { messages: ['a', 'b', null] }, 400, 'messages[2]'],
      ['messages not an array', { messages: 'a' }, 400, 'messages'],
      ['an unknown field', { messages: ['a'], topic: 'x' }, 400, 'topic'],
      [
        'an element over the message limit',
        { messages: ['a', 'x'.repeat(LIMIT + 1)] },
        413,
        'messages[1]',
      ],
      [
        'a batch over the batch limit',
        { messages: Array(5).fill('x'.repeat(LIMIT)) },
        413,
        'messages',
      ],
    ])('refuses %s as a whole (%s), storing nothing', async (_name, body, status, field) => {
      const res = await batch(body);
      expect(res.statusCode).toBe(status);
      expect(res.headers['content-type']).toContain('application/problem+json');
      expect(res.json().errors.map((e: { field: string }) => e.field)).toEqual([field]);
      expect(gateway.appendCalls).toHaveLength(0);
    });

    it('refuses more than 10000 messages', async () => {
      const res = await batch({ messages: Array(10_001).fill('') });
      expect(res.statusCode).toBe(400);
      expect(res.json().detail).toContain('at most 10000');
    });

    it('accepts exactly 10000 messages and an element of exactly the limit', async () => {
      expect((await batch({ messages: Array(10_000).fill('') })).statusCode).toBe(201);
      expect((await batch({ messages: ['x'.repeat(LIMIT)] })).statusCode).toBe(201);
    });
  });

  describe('Idempotency-Key', () => {
    it('replays the first answer for the same key and body, storing once', async () => {
      const first = await batch({ messages: ['a', 'b'] }, { 'idempotency-key': 'k-1' });
      expect(first.statusCode).toBe(201);
      expect(first.headers['idempotent-replayed']).toBeUndefined();
      const again = await batch({ messages: ['a', 'b'] }, { 'idempotency-key': 'k-1' });
      expect(again.statusCode).toBe(201);
      expect(again.json()).toEqual(first.json());
      expect(again.headers['idempotent-replayed']).toBe('true');
      expect(stored()).toEqual(['a', 'b']);
    });

    it('sends the key and a request hash with its own Append, without a producer', async () => {
      await single('m', { 'idempotency-key': 'k-2' });
      const { request } = gateway.appendCalls[0];
      expect(request).toMatchObject({ idempotency_key: 'k-2', producer_id: 0 });
      expect(request.request_hash).toHaveLength(16);
    });

    it('answers 422 for the same key with another body or route', async () => {
      await single('m', { 'idempotency-key': 'k-3' });
      const other = await single('n', { 'idempotency-key': 'k-3' });
      expect(other.statusCode).toBe(422);
      expect(other.json().type).toBe('urn:distilled:problem:idempotency-key-mismatch');
      const route = await batch({ messages: ['m'] }, { 'idempotency-key': 'k-3' });
      expect(route.statusCode).toBe(422);
      expect(stored()).toEqual(['m']);
    });

    it('answers 409 with Retry-After when the leader says the first is in flight', async () => {
      gateway.appendScript.push((replica) =>
        callError(replica, GrpcStatus.ABORTED, ErrorReason.KeyInFlight),
      );
      const res = await single('m', { 'idempotency-key': 'k-4' });
      expect(res.statusCode).toBe(409);
      expect(res.headers['retry-after']).toBe('1');
    });

    it('retries its own attempt that may have stored it, and answers without replay', async () => {
      gateway.appendScript.push(
        (replica, request) => {
          gateway.store(request);
          return callError(replica, GrpcStatus.UNAVAILABLE, null);
        },
        (replica) => callError(replica, GrpcStatus.ABORTED, ErrorReason.KeyInFlight),
      );
      const res = await single('m', { 'idempotency-key': 'k-5' });
      expect(res.statusCode).toBe(201);
      expect(res.json()).toEqual({ offset: 0 });
      expect(res.headers['idempotent-replayed']).toBeUndefined();
      expect(stored()).toEqual(['m']);
    });

    it.each([
      ['empty', ''],
      ['too long', 'k'.repeat(256)],
      ['with a space', 'a b'],
      ['repeated (joined with a comma)', 'a, b'],
    ])('refuses a key that is %s with 400 naming the header', async (_name, key) => {
      const res = await single('m', { 'idempotency-key': key });
      expect(res.statusCode).toBe(400);
      expect(res.json().errors).toEqual([
        expect.objectContaining({ field: 'Idempotency-Key', in: 'header' }),
      ]);
      expect(gateway.appendCalls).toHaveLength(0);
    });
  });

  describe('Expected-Offset', () => {
    it('stores when the log ends there, 412 with nextOffset otherwise', async () => {
      expect((await single('a', { 'expected-offset': '0' })).statusCode).toBe(201);
      const res = await batch({ messages: ['b', 'c'] }, { 'expected-offset': '0' });
      expect(res.statusCode).toBe(412);
      expect(res.json()).toMatchObject({
        type: 'urn:distilled:problem:offset-mismatch',
        nextOffset: 1,
      });
      expect((await batch({ messages: ['b', 'c'] }, { 'expected-offset': '1' })).json()).toEqual({
        firstOffset: 1,
        count: 2,
      });
      expect(stored()).toEqual(['a', 'b', 'c']);
    });

    it('answers 504, not 412, when an earlier attempt may have stored the write', async () => {
      gateway.appendScript.push((replica, request) => {
        gateway.store(request);
        return callError(replica, GrpcStatus.UNAVAILABLE, null);
      });
      const res = await single('a', { 'expected-offset': '0' });
      expect(res.statusCode).toBe(504);
      expect(stored()).toEqual(['a']);
    });

    it.each(['-1', '1.5', 'abc', '1e3', '9007199254740992', '1, 2'])(
      'refuses %j with 400 naming the header',
      async (value) => {
        const res = await single('m', { 'expected-offset': value });
        expect(res.statusCode).toBe(400);
        expect(res.json().errors[0]).toMatchObject({ field: 'Expected-Offset', in: 'header' });
      },
    );
  });
});
