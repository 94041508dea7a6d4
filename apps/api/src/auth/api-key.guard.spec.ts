import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createTestApp, injector } from '../testing/create-test-app';
import type { FakeReplicaGateway } from '../testing/fake-replica-gateway';
import { parseApiKeys } from './api-keys-file';

const READ = 'reader-secret-0001';
const WRITE = 'writer-secret-0002';
const BOTH = 'both-scopes-secret-3';
const keys = parseApiKeys(
  `reader read ${READ}\nwriter write ${WRITE}\nboth read,write ${BOTH}\n`,
  'k',
);

// The guard through the real module wiring (global guard, pipe, filter), replicas faked.
describe('ApiKeyGuard', () => {
  let app: NestFastifyApplication;
  let gateway: FakeReplicaGateway;
  const call = (method: 'GET' | 'POST', url: string, key?: string, payload?: string) =>
    injector(app)({
      method,
      url,
      payload,
      headers: {
        ...(payload === undefined ? {} : { 'content-type': 'application/json' }),
        ...(key === undefined ? {} : { authorization: key }),
      },
    });

  beforeAll(async () => {
    ({ app, gateway } = await createTestApp({ apiKeys: keys }));
  });
  afterAll(() => app.close());

  it.each<[string, 'GET' | 'POST', string, string | undefined, number, RegExp]>([
    ['POST /Data without a key', 'POST', '/Data', undefined, 401, /^Bearer realm="distilled"$/],
    [
      'POST /Data with an unknown key',
      'POST',
      '/Data',
      'Bearer not-a-known-key-123',
      401,
      /invalid_token/,
    ],
    ['POST /Data with a Basic header', 'POST', '/Data', 'Basic cmVhZGVyOnB3', 401, /invalid_token/],
    [
      'POST /Data with a read key',
      'POST',
      '/Data',
      `Bearer ${READ}`,
      403,
      /insufficient_scope", scope="write"/,
    ],
    ['GET /Data without a key', 'GET', '/Data?offset=0', undefined, 401, /Bearer/],
    [
      'GET /Data with a write-only key',
      'GET',
      '/Data?offset=0',
      `Bearer ${WRITE}`,
      403,
      /scope="read"/,
    ],
    ['GET /Cluster without a key', 'GET', '/Cluster', undefined, 401, /Bearer/],
    [
      'GET /metrics with a write-only key',
      'GET',
      '/metrics',
      `Bearer ${WRITE}`,
      403,
      /scope="read"/,
    ],
  ])(
    '%s: refused with problem+json, nothing stored',
    async (_name, method, url, key, status, challenge) => {
      const answer = await call(
        method,
        url,
        key,
        method === 'POST' ? '{"message": "x"}' : undefined,
      );
      expect(answer.statusCode).toBe(status);
      expect(answer.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(answer.headers['www-authenticate']).toMatch(challenge);
      expect(answer.json()).toMatchObject({
        status,
        type: expect.any(String),
        detail: expect.any(String),
      });
      for (const secret of [READ, WRITE, BOTH, 'not-a-known-key-123']) {
        expect(answer.body).not.toContain(secret);
      }
      expect(gateway.appendCalls).toHaveLength(0);
    },
  );

  it('lets each key do what its scopes allow', async () => {
    const written = await call('POST', '/Data', `Bearer ${WRITE}`, '{"message": "hello"}');
    expect(written.statusCode).toBe(201);
    expect((await call('POST', '/Data', `bearer ${BOTH}`, '{"message": "x"}')).statusCode).toBe(
      201,
    );
    const read = await call(
      'GET',
      `/Data?offset=${written.json<{ offset: number }>().offset}`,
      `Bearer ${READ}`,
    );
    expect(read.json()).toMatchObject({ message: 'hello' });
    expect((await call('GET', '/Cluster', `Bearer ${READ}`)).statusCode).toBe(200);
    expect((await call('GET', '/metrics', `Bearer ${BOTH}`)).statusCode).toBe(200);
  });

  it('leaves /health, /health/ready and /docs-json open', async () => {
    expect((await call('GET', '/health')).statusCode).toBe(200);
    expect((await call('GET', '/health/ready')).statusCode).toBe(200);
    expect((await call('GET', '/docs-json')).statusCode).toBe(200);
  });

  it('checks the key before the body: a bad body without a key is 401', async () => {
    expect((await call('POST', '/Data', undefined, '{"nope": 1}')).statusCode).toBe(401);
  });
});

describe('ApiKeyGuard with no keys file', () => {
  it('leaves every call open, as before keys existed', async () => {
    const { app } = await createTestApp({ apiKeys: null });
    try {
      const inject = injector(app);
      const answer = await inject({
        method: 'POST',
        url: '/Data',
        payload: '{"message": "x"}',
        headers: { 'content-type': 'application/json' },
      });
      expect(answer.statusCode).toBe(201);
      expect((await inject('/Cluster')).statusCode).toBe(200);
    } finally {
      await app.close();
    }
  });
});
