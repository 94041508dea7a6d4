import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { parseApiKeys } from '../auth/api-keys-file';
import { createTestApp, injector } from '../testing/create-test-app';
import type { FakeReplicaGateway } from '../testing/fake-replica-gateway';

const A = 'writer-a-secret-0001';
const B = 'writer-b-secret-0002';
const keys = parseApiKeys(`a read,write ${A}\nb read,write ${B} rate-limit=5\n`, 'k');
const WINDOW_MS = 60_000;

// The limiter through the real module wiring (hooks, guard, pipe, filter), replicas faked.
describe('registerRateLimits', () => {
  describe('with API keys', () => {
    let app: NestFastifyApplication;
    let gateway: FakeReplicaGateway;
    const post = (secret: string, payload = '{"message":"m"}') =>
      injector(app)({
        method: 'POST',
        url: '/Data',
        payload,
        headers: { 'content-type': 'application/json', authorization: `Bearer ${secret}` },
      });

    beforeAll(async () => {
      ({ app, gateway } = await createTestApp({
        apiKeys: keys,
        rateLimit: 2,
        rateLimitWindowMs: WINDOW_MS,
      }));
    });
    afterAll(() => app.close());

    it('counts each key on its own; over its limit, 429 problem+json before the body is read', async () => {
      const first = await post(A);
      expect(first.statusCode).toBe(201);
      expect(first.headers['ratelimit-limit']).toBe('2');
      expect(first.headers['ratelimit-remaining']).toBe('1');
      expect((await post(A)).statusCode).toBe(201);
      const appends = gateway.appendCalls.length;

      // Not JSON at all: a limited request is refused before the body is parsed or validated.
      const refused = await post(A, '{"message": not json');
      expect(refused.statusCode).toBe(429);
      expect(refused.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(Number(refused.headers['retry-after'])).toBeGreaterThanOrEqual(1);
      expect(Number(refused.headers['retry-after'])).toBeLessThanOrEqual(WINDOW_MS / 1000);
      expect(refused.headers['ratelimit-limit']).toBe('2');
      expect(refused.headers['ratelimit-remaining']).toBe('0');
      expect(refused.json()).toEqual({
        type: 'urn:distilled:problem:rate-limited',
        title: 'Too many requests',
        status: 429,
        detail: expect.stringMatching(
          /^The API key "a" may make 2 requests per 60 s and has made them all; retry in \d+ seconds?\. .*nothing was stored\.$/,
        ),
      });
      expect(JSON.stringify(refused.json())).not.toContain(A);
      expect(gateway.appendCalls.length).toBe(appends);

      // Another key has its own budget (and here its own limit from the keys file).
      const other = await post(B);
      expect(other.statusCode).toBe(201);
      expect(other.headers['ratelimit-limit']).toBe('5');
    });

    it('counts requests without a known key against the address, before the 401', async () => {
      const anonymous = () => injector(app)({ method: 'GET', url: '/Data?offset=0' });
      expect((await anonymous()).statusCode).toBe(401);
      expect((await anonymous()).statusCode).toBe(401);
      const refused = await anonymous();
      expect(refused.statusCode).toBe(429);
      expect(refused.json().detail).toMatch(
        /^The client at 127\.0\.0\.1, without a known API key,/,
      );
    });

    it('never limits /health, /docs-json or the console page', async () => {
      for (let i = 0; i < 5; i++) {
        for (const url of ['/health', '/docs-json', '/ui']) {
          const answer = await injector(app)({ method: 'GET', url });
          expect([url, answer.statusCode]).not.toEqual([url, 429]);
          expect(answer.headers['ratelimit-limit']).toBeUndefined();
        }
      }
    });

    it('documents 429 on the data calls, not on the health checks', async () => {
      const document = (await injector(app)('/docs-json')).json();
      for (const [path, method] of [
        ['/Data', 'post'],
        ['/Data', 'get'],
        ['/Data/Batch', 'post'],
        ['/Data/Range', 'get'],
        ['/Data/Stream', 'get'],
      ]) {
        expect(document.paths[path][method].responses['429']).toMatchObject({
          headers: { 'Retry-After': expect.any(Object) },
        });
      }
      expect(document.paths['/health'].get.responses['429']).toBeUndefined();
    });
  });

  describe('after the window', () => {
    it('lets the client in again', async () => {
      const { app } = await createTestApp({ rateLimit: 1, rateLimitWindowMs: 300 });
      try {
        const get = () => injector(app)({ method: 'GET', url: '/Cluster' });
        expect((await get()).statusCode).not.toBe(429);
        const refused = await get();
        expect(refused.statusCode).toBe(429);
        expect(refused.json().detail).toMatch(
          /^The client at 127\.0\.0\.1 may make 1 request per 300 ms/,
        );
        await new Promise((resolve) => setTimeout(resolve, 350));
        expect((await get()).statusCode).not.toBe(429);
      } finally {
        await app.close();
      }
    });
  });

  it('adds nothing when no limit is set', async () => {
    const { app } = await createTestApp();
    try {
      const answer = await injector(app)({ method: 'GET', url: '/Cluster' });
      expect(answer.headers['ratelimit-limit']).toBeUndefined();
    } finally {
      await app.close();
    }
  });
});
