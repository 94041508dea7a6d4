import { externalUrl, startE2eCluster, type E2eCluster } from './helpers/e2e-cluster';
import type { Problem } from './helpers/api-client';
import { rawExchange } from './helpers/raw-http';

// Suite 6: every kind of bad request gets a problem+json answer a person can act on, and
// none of them changes the log.
describe('bad input', () => {
  let cluster: E2eCluster;
  let endBefore: number;
  // A small limit keeps the test cheap, yet its body limit (6x + 64 KiB) lets the 100,000-level
  // bodies through to the parser; an external cluster has the default 1 MiB.
  const limit = externalUrl ? 1024 * 1024 : 64 * 1024;
  // Short request timeouts keep the slow-client cases quick; an external cluster has 10 s / 30 s.
  const headersTimeoutMs = externalUrl ? 10_000 : 1000;
  const requestTimeoutMs = externalUrl ? 30_000 : 2000;

  beforeAll(async () => {
    cluster = await startE2eCluster({
      replicas: 3,
      minInsync: 2,
      apiEnv: {
        DISTILLED_MAX_MESSAGE_BYTES: String(limit),
        DISTILLED_API_HEADERS_TIMEOUT_MS: String(headersTimeoutMs),
        DISTILLED_API_REQUEST_TIMEOUT_MS: String(requestTimeoutMs),
      },
    });
    await cluster.api.append('before the bad requests');
    endBefore = await logEnd();
  });
  afterAll(async () => {
    await cluster?.stop();
  });

  async function logEnd(): Promise<number> {
    const view = await cluster.api.cluster();
    return view.nodes.find((n) => n.role === 'leader')!.logEndOffset;
  }

  const cases: {
    name: string;
    method: string;
    path: string;
    body?: string;
    contentType?: string;
    status: number;
  }[] = [
    {
      name: 'body that is not JSON',
      method: 'POST',
      path: '/Data',
      body: '{"message": ',
      status: 400,
    },
    { name: 'message missing', method: 'POST', path: '/Data', body: '{}', status: 400 },
    { name: 'message null', method: 'POST', path: '/Data', body: '{"message": null}', status: 400 },
    {
      name: 'message a number',
      method: 'POST',
      path: '/Data',
      body: '{"message": 42}',
      status: 400,
    },
    {
      name: 'unknown field',
      method: 'POST',
      path: '/Data',
      body: '{"message": "x", "key": 1}',
      status: 400,
    },
    { name: 'body an array', method: 'POST', path: '/Data', body: '["x"]', status: 400 },
    {
      name: 'message a 100,000-level nested array',
      method: 'POST',
      path: '/Data',
      body: `{"message": ${'['.repeat(100_000)}${']'.repeat(100_000)}}`,
      status: 400,
    },
    {
      name: 'message a 50,000-level nested object',
      method: 'POST',
      path: '/Data',
      body: `{"message": ${'{"a":'.repeat(50_000)}1${'}'.repeat(50_000)}}`,
      status: 400,
    },
    {
      name: '20,000 unknown fields',
      method: 'POST',
      path: '/Data',
      body: `{"message": "x", ${Array.from({ length: 20_000 }, (_, i) => `"k${i}": 1`).join(', ')}}`,
      status: 400,
    },
    {
      name: 'a __proto__ field',
      method: 'POST',
      path: '/Data',
      body: '{"message": "x", "__proto__": {"polluted": true}}',
      status: 400,
    },
    {
      name: 'text/plain body',
      method: 'POST',
      path: '/Data',
      body: 'hello',
      contentType: 'text/plain',
      status: 415,
    },
    { name: 'offset missing', method: 'GET', path: '/Data', status: 400 },
    { name: 'offset repeated', method: 'GET', path: '/Data?offset=1&offset=2', status: 400 },
    { name: 'offset negative', method: 'GET', path: '/Data?offset=-1', status: 400 },
    { name: 'offset fractional', method: 'GET', path: '/Data?offset=1.5', status: 400 },
    { name: 'offset with exponent', method: 'GET', path: '/Data?offset=1e3', status: 400 },
    { name: 'offset with sign', method: 'GET', path: '/Data?offset=+0', status: 400 },
    { name: 'offset hexadecimal', method: 'GET', path: '/Data?offset=0x10', status: 400 },
    { name: 'offset a word', method: 'GET', path: '/Data?offset=abc', status: 400 },
    {
      name: 'offset above 2^53-1',
      method: 'GET',
      path: '/Data?offset=9007199254740992',
      status: 400,
    },
    {
      name: 'offset not written yet',
      method: 'GET',
      path: '/Data?offset=9007199254740991',
      status: 404,
    },
    { name: 'unknown route', method: 'GET', path: '/Nope', status: 404 },
    { name: 'wrong method', method: 'DELETE', path: '/Data', status: 405 },
  ];

  it.each(cases)(
    '$name -> $status problem+json',
    async ({ method, path, body, contentType, status }) => {
      const answer = await cluster.api.request<Problem>(method, path, { body, contentType });
      expect(answer.status).toBe(status);
      expect(answer.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(answer.body).toEqual(
        expect.objectContaining({
          type: expect.any(String),
          title: expect.any(String),
          status,
          detail: expect.any(String),
        }),
      );
      const text = JSON.stringify(answer.body);
      expect(text).not.toMatch(/\bat .+\.(js|ts):\d+/); // no stack frames
      expect(text).not.toMatch(/\/(work|home|root|tmp)\//); // no file paths
      expect(text).not.toMatch(/127\.0\.0\.1:\d+/); // no internal addresses
      if (status === 405) expect(answer.headers.get('allow')).toMatch(/GET/);
    },
  );

  it('accepts a message of exactly the limit and refuses one byte more with 413', async () => {
    const exact = 'é'.repeat(limit / 2); // 2 bytes each in UTF-8
    const offset = await cluster.api.append(exact);
    expect((await cluster.api.read(offset)).body).toEqual({ message: exact, offset });
    const over = await cluster.api.request<Problem>('POST', '/Data', {
      body: JSON.stringify({ message: exact + 'x' }),
    });
    expect(over.status).toBe(413);
    expect(over.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    endBefore = await logEnd();
  });

  it('says where the log ends when an offset is not written yet', async () => {
    const end = await logEnd();
    const answer = await cluster.api.read(end);
    expect(answer.status).toBe(404);
    expect(answer.body).toEqual(expect.objectContaining({ nextOffset: end }));
  });

  const problemJson = /^application\/problem\+json/;

  it('cuts off headers that trickle in: 408 problem+json after the headers timeout', async () => {
    const answer = await rawExchange(
      cluster.api.baseUrl,
      ['POST /Data HTTP/1.1\r\nHost: localhost\r\n', 'X-Slow: 1\r\n'],
      { gapMs: 200, trickle: true },
    );
    expect(answer.status).toBe(408);
    expect(answer.contentType).toMatch(problemJson);
    expect(answer.body).toMatchObject({ status: 408, detail: expect.any(String) });
    expect(answer.closedAfterMs).toBeGreaterThanOrEqual(headersTimeoutMs);
    expect(answer.closedAfterMs).toBeLessThan(headersTimeoutMs + 3000);
  });

  it('cuts off a body that trickles in: 408 problem+json after the request timeout', async () => {
    const head =
      'POST /Data HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n' +
      // Room for every byte trickled until the timeout (a byte per 200 ms for up to 30 s
      // against an external cluster), so the body never overruns its length first.
      'Content-Length: 1000\r\n\r\n{"message": "';
    const answer = await rawExchange(cluster.api.baseUrl, [head, 'x'], {
      gapMs: 200,
      trickle: true,
    });
    expect(answer.status).toBe(408);
    expect(answer.contentType).toMatch(problemJson);
    expect(answer.closedAfterMs).toBeGreaterThanOrEqual(requestTimeoutMs);
    expect(answer.closedAfterMs).toBeLessThan(requestTimeoutMs + 3000);
  });

  it.each<[string, string]>([
    [
      'no Host header',
      'POST /Data HTTP/1.1\r\nContent-Type: application/json\r\nContent-Length: 16\r\n\r\n{"message": "x"}',
    ],
    [
      'Content-Length and Transfer-Encoding together',
      'POST /Data HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 16\r\n' +
        'Transfer-Encoding: chunked\r\n\r\n10\r\n{"message": "x"}\r\n0\r\n\r\n',
    ],
    [
      'a chunk size that is not hexadecimal',
      'POST /Data HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n' +
        'Transfer-Encoding: chunked\r\n\r\nzz\r\n{"message": "x"}\r\n0\r\n\r\n',
    ],
  ])('%s: 400 problem+json, connection closed', async (_name, request) => {
    const answer = await rawExchange(cluster.api.baseUrl, [request]);
    expect(answer.status).toBe(400);
    expect(answer.contentType).toMatch(problemJson);
    expect(answer.body).toMatchObject({ status: 400, detail: expect.any(String) });
    expect(answer.closedAfterMs).toBeLessThan(2000);
  });

  it('changed nothing in the log', async () => {
    expect(await logEnd()).toBe(endBefore);
    expect(await cluster.api.append('after the bad requests')).toBe(endBefore);
  });
});
