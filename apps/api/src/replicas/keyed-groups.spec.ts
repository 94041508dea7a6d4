import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { status as GrpcStatus } from '@grpc/grpc-js';
import { ErrorReason } from '@distilled/proto';
import { createTestApp, injector } from '../testing/create-test-app';
import {
  callError,
  type AppendBehaviour,
  type FakeReplicaGateway,
} from '../testing/fake-replica-gateway';

describe('keyed writes in groups (KeyedGroups, AppendAttempts.sendParts)', () => {
  let app: NestFastifyApplication;
  let gateway: FakeReplicaGateway;
  let inject: (options: InjectOptions | string) => Promise<LightMyRequestResponse>;

  beforeEach(async () => {
    ({ app, gateway } = await createTestApp({ writeTimeoutMs: 5000 }));
    inject = injector(app);
  });
  afterEach(() => app.close());

  const post = (message: string, key: string, headers: Record<string, string> = {}) =>
    inject({
      method: 'POST',
      url: '/Data',
      headers: { 'content-type': 'application/json', 'idempotency-key': key, ...headers },
      payload: JSON.stringify({ message }),
    });
  const keysOf = (call: { requests: Array<{ idempotency_key?: string }> }) =>
    call.requests.map((request) => request.idempotency_key);
  /** The healthy leader, for one part of a scripted attempt. */
  const healthy: AppendBehaviour = (replica, request) => gateway.leaderAppend(replica, request);
  const storedThen =
    (code: number, reason: ErrorReason | null): AppendBehaviour =>
    (replica, request) => {
      gateway.store(request);
      return callError(replica, code, reason);
    };

  it('sends the keyed POSTs of one turn as one group and answers each with its own offset', async () => {
    gateway.appendDelayMs = 50;
    const keys = Array.from({ length: 40 }, (_, i) => `k${i}`);
    const responses = await Promise.all(keys.map((key) => post(`m-${key}`, key)));
    expect(responses.map((r) => r.statusCode)).toEqual(keys.map(() => 201));
    // Everything arrived in one turn: one group, whatever the pipeline did with the rest.
    expect(gateway.appendPartsCalls.length).toBeLessThanOrEqual(2);
    expect(gateway.appendPartsCalls.flatMap(keysOf)).toEqual(keys);
    responses.forEach((response, i) => {
      const { offset } = response.json<{ offset: number }>();
      expect(gateway.log[offset].toString()).toBe(`m-${keys[i]}`);
    });
    expect(gateway.log).toHaveLength(keys.length);
  });

  it('holds keyed POSTs while a group is unanswered, then sends them as the next group', async () => {
    gateway.appendDelayMs = 100;
    const first = post('a', 'a');
    await new Promise((resolve) => setTimeout(resolve, 30));
    const later = [post('b', 'b'), post('c', 'c')];
    await Promise.all([first, ...later]);
    expect(gateway.appendPartsCalls.map(keysOf)).toEqual([['a'], ['b', 'c']]);
  });

  it('answers a part refused for another body (422) or in flight (409) alone; the others succeed', async () => {
    expect((await post('original', 'used')).statusCode).toBe(201);
    gateway.appendPartsCalls.length = 0;
    gateway.appendScript.push(
      healthy,
      healthy,
      (replica) => callError(replica, GrpcStatus.ABORTED, ErrorReason.KeyInFlight),
      healthy,
    );
    const [ok1, reused, busy, ok2] = await Promise.all([
      post('x', 'x'),
      post('other body', 'used'),
      post('y', 'busy'),
      post('z', 'z'),
    ]);
    expect([ok1, reused, busy, ok2].map((r) => r.statusCode)).toEqual([201, 422, 409, 201]);
    expect(busy.headers['retry-after']).toBe('1');
    expect(gateway.appendPartsCalls).toHaveLength(1);
    expect(gateway.log.map(String)).toEqual(['original', 'x', 'z']);
  });

  it('retries only the parts that need it, together and with their keys; a retried part is not a replay', async () => {
    gateway.appendScript.push(
      storedThen(GrpcStatus.DEADLINE_EXCEEDED, ErrorReason.CommitTimeout),
      healthy,
      (replica) => callError(replica, GrpcStatus.UNAVAILABLE, ErrorReason.NotEnoughReplicas),
    );
    const responses = await Promise.all([post('a', 'a'), post('b', 'b'), post('c', 'c')]);
    expect(responses.map((r) => r.statusCode)).toEqual([201, 201, 201]);
    expect(responses.map((r) => r.headers['idempotent-replayed'])).toEqual([
      undefined,
      undefined,
      undefined,
    ]);
    expect(gateway.appendPartsCalls.map(keysOf)).toEqual([
      ['a', 'b', 'c'],
      ['a', 'c'],
    ]);
    expect(gateway.log.map(String)).toEqual(['a', 'b', 'c']);
  });

  it('replays a key the leader already holds, in a group with new ones', async () => {
    const first = await post('a', 'a');
    const [again, fresh] = await Promise.all([post('a', 'a'), post('b', 'b')]);
    expect(again.statusCode).toBe(201);
    expect(again.json()).toEqual(first.json());
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(fresh.headers['idempotent-replayed']).toBeUndefined();
    expect(gateway.log.map(String)).toEqual(['a', 'b']);
  });

  it('answers 504, never 503, for a part an earlier attempt may have stored', async () => {
    await app.close();
    ({ app, gateway } = await createTestApp({ writeTimeoutMs: 400 }));
    inject = injector(app);
    gateway.appendScript.push(
      storedThen(GrpcStatus.DEADLINE_EXCEEDED, ErrorReason.CommitTimeout),
      (replica) => callError(replica, GrpcStatus.UNAVAILABLE, ErrorReason.NotEnoughReplicas),
    );
    gateway.appendFallback = (replica) =>
      callError(replica, GrpcStatus.UNAVAILABLE, ErrorReason.NotEnoughReplicas);
    const [maybe, never] = await Promise.all([post('a', 'a'), post('b', 'b')]);
    expect(maybe.statusCode).toBe(504);
    expect(never.statusCode).toBe(503);
  });

  it('sends a keyed write with Expected-Offset as an Append of its own', async () => {
    const res = await post('a', 'a', { 'expected-offset': '0' });
    expect(res.statusCode).toBe(201);
    expect(gateway.appendPartsCalls).toHaveLength(0);
    expect(gateway.appendCalls[0].request).toMatchObject({
      idempotency_key: 'a',
      expected_offset: 0,
    });
  });
});
