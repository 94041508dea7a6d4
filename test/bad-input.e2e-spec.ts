import { externalUrl, startE2eCluster, type E2eCluster } from './helpers/e2e-cluster';
import type { Problem } from './helpers/api-client';

// Suite 6: every kind of bad request gets a problem+json answer a person can act on, and
// none of them changes the log.
describe('bad input', () => {
  let cluster: E2eCluster;
  let endBefore: number;
  // A small limit keeps the test cheap; an external cluster has the default 1 MiB.
  const limit = externalUrl ? 1024 * 1024 : 1024;

  beforeAll(async () => {
    cluster = await startE2eCluster({
      replicas: 3,
      minInsync: 2,
      apiEnv: { DISTILLED_MAX_MESSAGE_BYTES: String(limit) },
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

  it('changed nothing in the log', async () => {
    expect(await logEnd()).toBe(endBefore);
    expect(await cluster.api.append('after the bad requests')).toBe(endBefore);
  });
});
