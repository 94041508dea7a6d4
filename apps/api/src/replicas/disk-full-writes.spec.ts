/**
 * Writes against a leader whose disk is full (ErrorReason.DiskFull): retried while a handover
 * may still come, answered 507 problem+json (nothing stored) once it does not, and never 507
 * when an attempt may have stored the write (then 504, as always).
 */
import { status as GrpcStatus } from '@grpc/grpc-js';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { ErrorReason } from '@distilled/proto';
import { DISK_FULL_PATIENCE_MS } from '../constants';
import { createTestApp, injector } from '../testing/create-test-app';
import { callError, type FakeReplicaGateway } from '../testing/fake-replica-gateway';

describe('writes to a leader whose disk is full', () => {
  let app: NestFastifyApplication;
  let gateway: FakeReplicaGateway;
  let inject: (options: InjectOptions | string) => Promise<LightMyRequestResponse>;

  async function start(writeTimeoutMs: number): Promise<void> {
    ({ app, gateway } = await createTestApp({ writeTimeoutMs }));
    inject = injector(app);
  }
  afterEach(() => app.close());

  const post = (url: string, body: unknown) =>
    inject({
      method: 'POST',
      url,
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify(body),
    });
  const diskFull = () =>
    jest.spyOn(gateway, 'append').mockImplementation(async (replica) => {
      throw callError(replica, GrpcStatus.RESOURCE_EXHAUSTED, ErrorReason.DiskFull, {
        delivery: 'maybe-sent',
      });
    });

  it.each([
    ['POST /Data', '/Data', { message: 'x' }],
    ['POST /Data/Batch', '/Data/Batch', { messages: ['x', 'y'] }],
  ])(
    '%s: a leader that keeps refusing is answered 507 after the patience, nothing stored',
    async (_name, url, body) => {
      await start(10_000);
      const append = diskFull();
      const started = Date.now();
      const response = await post(url, body);
      const took = Date.now() - started;
      expect(response.statusCode).toBe(507);
      expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(response.headers['retry-after']).toBe('1');
      const problem = response.json();
      expect(problem).toMatchObject({
        type: 'urn:distilled:problem:disk-full',
        title: 'Insufficient storage',
        status: 507,
        replica: 'r1',
      });
      expect(problem.detail).toMatch(/disk of replica r1 .* is full/);
      expect(problem.detail).toMatch(/NOT stored/);
      expect(problem.detail).toMatch(/Free space/);
      expect(append.mock.calls.length).toBeGreaterThan(1); // it waited for a handover
      expect(took).toBeGreaterThanOrEqual(DISK_FULL_PATIENCE_MS - 50);
      expect(took).toBeLessThan(8000); // well before the write timeout
      expect(gateway.log).toHaveLength(0);
    },
  );

  it('answers 507 at the write timeout when it is shorter than the patience', async () => {
    await start(500);
    diskFull();
    const response = await post('/Data', { message: 'x' });
    expect(response.statusCode).toBe(507);
  });

  it('a handover to a replica with room stores the write (201)', async () => {
    await start(10_000);
    gateway.appendScript.push((replica) =>
      callError(replica, GrpcStatus.RESOURCE_EXHAUSTED, ErrorReason.DiskFull),
    );
    const response = await post('/Data', { message: 'x' });
    expect(response.statusCode).toBe(201);
    expect(gateway.log).toHaveLength(1);
  });

  it('is 504, never 507, when an earlier attempt may have stored the write', async () => {
    await start(600);
    let calls = 0;
    jest.spyOn(gateway, 'append').mockImplementation(async (replica) => {
      calls++;
      throw calls === 1
        ? callError(replica, GrpcStatus.UNAVAILABLE, null, { delivery: 'maybe-sent' })
        : callError(replica, GrpcStatus.RESOURCE_EXHAUSTED, ErrorReason.DiskFull);
    });
    const response = await post('/Data', { message: 'x' });
    expect(response.statusCode).toBe(504);
  });
});
