import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { createConnection } from 'node:net';
import { createTestApp, injector } from '../testing/create-test-app';
import type { FakeReplicaGateway } from '../testing/fake-replica-gateway';

const LIMIT = 100;

/** Every error answer: problem+json with the RFC 9457 members and nothing internal. */
function expectProblem(response: LightMyRequestResponse, status: number): Record<string, unknown> {
  expect(response.statusCode).toBe(status);
  expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
  const body = response.json<Record<string, unknown>>();
  expect(body).toEqual(
    expect.objectContaining({
      type: expect.stringMatching(/^urn:distilled:problem:/),
      title: expect.any(String),
      status,
      detail: expect.any(String),
    }),
  );
  expect(response.body).not.toMatch(/\.(js|ts):\d+|node_modules|\/work\/|127\.0\.0\.1|Error:/);
  return body;
}

describe('DataController (HTTP)', () => {
  let app: NestFastifyApplication;
  let gateway: FakeReplicaGateway;
  let inject: (options: InjectOptions | string) => Promise<LightMyRequestResponse>;

  beforeEach(async () => {
    ({ app, gateway } = await createTestApp({ maxMessageBytes: LIMIT }));
    inject = injector(app);
  });
  afterEach(() => app.close());

  const post = (payload: unknown, headers: Record<string, string> = {}) =>
    inject({
      method: 'POST',
      url: '/Data',
      headers: { 'content-type': 'application/json', ...headers },
      payload:
        typeof payload === 'string' || Buffer.isBuffer(payload) ? payload : JSON.stringify(payload),
    });

  describe('POST /Data', () => {
    it('answers 201 with consecutive offsets from 0', async () => {
      const first = await post({ message: 'a' });
      expect(first.statusCode).toBe(201);
      expect(first.headers['content-type']).toMatch(/^application\/json/);
      expect(first.json()).toEqual({ offset: 0 });
      expect((await post({ message: 'b' })).json()).toEqual({ offset: 1 });
      expect(gateway.log.map(String)).toEqual(['a', 'b']);
    });

    it('accepts the empty message, JSON with a charset and +json media types', async () => {
      expect((await post({ message: '' })).statusCode).toBe(201);
      expect(
        (await post({ message: 'x' }, { 'content-type': 'application/json; charset=utf-8' }))
          .statusCode,
      ).toBe(201);
      expect(
        (await post({ message: 'y' }, { 'content-type': 'application/vnd.distilled+json' }))
          .statusCode,
      ).toBe(201);
      expect(gateway.log.map(String)).toEqual(['', 'x', 'y']);
    });

    it('stores the message as UTF-8 and reads it back unchanged', async () => {
      const message = 'héllo 😀 \u0000 "quoted" \\ end';
      const { offset } = (await post({ message })).json<{ offset: number }>();
      const read = await inject(`/Data?offset=${offset}`);
      expect(read.json()).toEqual({ message, offset });
    });

    it('accepts a message of exactly the limit in UTF-8 bytes, even when escaping makes the body 6x larger', async () => {
      expect((await post({ message: 'é'.repeat(LIMIT / 2) })).statusCode).toBe(201);
      const controls = '\u0001'.repeat(LIMIT);
      const body = JSON.stringify({ message: controls });
      expect(body.length).toBeGreaterThan(LIMIT * 6);
      expect((await post(body)).statusCode).toBe(201);
    });

    it('answers 413 for one byte over the limit, and says how big it was', async () => {
      const problem = expectProblem(await post({ message: 'é'.repeat(LIMIT / 2) + 'x' }), 413);
      expect(problem.detail).toContain(`${LIMIT + 1} bytes`);
      expect(problem.detail).toContain(`${LIMIT} bytes`);
    });

    it('answers 413 as a problem when the body is over the HTTP body limit', async () => {
      const problem = expectProblem(
        await post({ message: 'x'.repeat(LIMIT * 7 + 64 * 1024) }),
        413,
      );
      expect(problem.type).toBe('urn:distilled:problem:message-too-large');
    });

    it.each([
      ['text/plain', 'hello'],
      ['application/x-www-form-urlencoded', 'message=hello'],
      ['multipart/form-data; boundary=x', '--x--'],
      ['application/xml', '<message/>'],
    ])('answers 415 for Content-Type %s', async (contentType, payload) => {
      const problem = expectProblem(await post(payload, { 'content-type': contentType }), 415);
      expect(problem.detail).toContain('application/json');
    });

    it.each<[string, string | Buffer, RegExp]>([
      ['JSON that does not parse', '{"message": "x"', /not valid JSON/],
      ['a trailing comma', '{"message": "x",}', /not valid JSON/],
      ['an empty body', '', /empty/],
      ['bytes that are not UTF-8', Buffer.from([0x7b, 0x22, 0xff, 0x22, 0x7d]), /UTF-8/],
      ['an array', '[{"message": "x"}]', /JSON object.*array/],
      ['a string', '"hello"', /JSON object.*string/],
      ['null', 'null', /JSON object.*null/],
      ['a number', '42', /JSON object.*number/],
      ['message missing', '{}', /message is required/],
      ['message null', '{"message": null}', /message is null/],
      ['message a number', '{"message": 42}', /message must be a string, not a number/],
      ['message a boolean', '{"message": true}', /not a boolean/],
      ['message an array', '{"message": ["x"]}', /not an array/],
      ['message an object', '{"message": {"a": 1}}', /not an object/],
      ['an unknown field', '{"message": "x", "topic": "t"}', /topic is not a known field/],
      ['a lone surrogate', '{"message": "\\ud800"}', /unpaired UTF-16 surrogate/],
    ])('answers 400 for %s, with a sentence saying why', async (_case, payload, detail) => {
      const problem = expectProblem(await post(payload), 400);
      expect(problem.detail).toMatch(detail);
    });

    it('lists one error per invalid field', async () => {
      const problem = expectProblem(await post('{"message": 1, "a": 2, "b": 3}'), 400);
      expect(problem.errors).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ field: 'message', in: 'body' }),
          expect.objectContaining({ field: 'a', in: 'body' }),
          expect.objectContaining({ field: 'b', in: 'body' }),
        ]),
      );
    });

    it('answers 400 when the body is missing altogether', async () => {
      const problem = expectProblem(await inject({ method: 'POST', url: '/Data' }), 400);
      expect(problem.detail).toMatch(/JSON object/);
    });

    it('never sends a bad request to a replica', async () => {
      await post('{bad');
      await post({ message: 1 });
      await post({ message: 'x'.repeat(LIMIT + 1) });
      await post('hello', { 'content-type': 'text/plain' });
      await post({ message: 'x', extra: true });
      expect(gateway.appendCalls).toHaveLength(0);
      expect(gateway.log).toHaveLength(0);
    });
  });

  describe('GET /Data', () => {
    beforeEach(async () => {
      await post({ message: 'zero' });
      await post({ message: 'one' });
    });

    it('answers 200 with the message and its offset', async () => {
      const response = await inject('/Data?offset=1');
      expect(response.statusCode).toBe(200);
      expect(response.headers['content-type']).toMatch(/^application\/json/);
      expect(response.json()).toEqual({ message: 'one', offset: 1 });
    });

    it('takes leading zeros as plain decimal digits', async () => {
      expect((await inject('/Data?offset=001')).json()).toEqual({ message: 'one', offset: 1 });
    });

    it('answers 404 with nextOffset where the log ends', async () => {
      const problem = expectProblem(await inject('/Data?offset=2'), 404);
      expect(problem.nextOffset).toBe(2);
      expect(problem.detail).toContain('ends at offset 1');
    });

    it('answers 404 for the largest offset there is', async () => {
      expectProblem(await inject('/Data?offset=9007199254740991'), 404);
    });

    it.each<[string, RegExp]>([
      ['', /offset is required/],
      ['?offset=', /offset is empty/],
      ['?offset', /offset is empty/],
      ['?offset=1.5', /not a whole number/],
      ['?offset=1.', /not a whole number/],
      ['?offset=-1', /negative/],
      ['?offset=abc', /not a number/],
      ['?offset=1e3', /exponent/],
      ['?offset=+0', /"\+" sign/],
      ['?offset=%2B0', /has a sign/],
      ['?offset=0x10', /not decimal/],
      ['?offset=%201', /starts with a space/],
      ['?offset=1%20', /spaces around it/],
      ['?offset=9007199254740992', /above the largest possible offset, 9007199254740991/],
      ['?offset=99999999999999999999999', /above the largest possible offset/],
      ['?offset=1&offset=2', /given 2 times/],
      ['?offset=1&limit=2', /limit is not a known query parameter/],
    ])('answers 400 for /Data%s, with a sentence saying why', async (query, detail) => {
      const problem = expectProblem(await inject(`/Data${query}`), 400);
      expect(problem.detail).toMatch(detail);
      expect(problem.errors).toEqual([expect.objectContaining({ in: 'query' })]);
    });
  });

  describe('routing', () => {
    it.each(['/Data', '/data', '/DATA', '/dAtA'])('matches %s case-insensitively', async (path) => {
      expect(
        (await post({ message: path }, {}).then(() => inject(`${path}?offset=0`))).statusCode,
      ).toBe(200);
      const written = await inject({
        method: 'POST',
        url: path,
        headers: { 'content-type': 'application/json' },
        payload: '{"message":"m"}',
      });
      expect(written.statusCode).toBe(201);
    });

    it.each(['/Cluster', '/cluster', '/CLUSTER', '/Health/Ready', '/HEALTH'])(
      'serves %s case-insensitively',
      async (path) => {
        expect((await inject(path)).statusCode).toBe(200);
      },
    );

    it.each<[string, string, string]>([
      ['DELETE', '/Data', 'GET, HEAD, POST'],
      ['PUT', '/data', 'GET, HEAD, POST'],
      ['PATCH', '/Data', 'GET, HEAD, POST'],
      ['POST', '/Cluster', 'GET, HEAD'],
      ['DELETE', '/cluster', 'GET, HEAD'],
    ])('answers 405 for %s %s with Allow: %s', async (method, url, allow) => {
      const response = await inject({ method: method as InjectOptions['method'], url });
      const problem = expectProblem(response, 405);
      expect(response.headers.allow).toBe(allow);
      expect(problem.detail).toContain(method);
    });

    it.each(['/nope', '/Data/1', '/Datas', '/'])('answers 404 as a problem for %s', async (url) => {
      const problem = expectProblem(await inject(url), 404);
      expect(problem.type).toBe('urn:distilled:problem:route-not-found');
    });
  });

  describe('errors Node answers before Fastify', () => {
    it('answers oversized headers with 431 problem+json', async () => {
      await app.listen(0, '127.0.0.1');
      const { port } = app.getHttpServer().address() as { port: number };
      const raw = await new Promise<string>((resolve, reject) => {
        const socket = createConnection(port, '127.0.0.1');
        let data = '';
        socket.on('data', (chunk) => (data += chunk.toString()));
        socket.on('close', () => resolve(data));
        socket.on('error', reject);
        socket.write(`GET /Cluster HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(64 * 1024)}\r\n\r\n`);
      });
      expect(raw).toMatch(/^HTTP\/1\.1 431 /);
      expect(raw).toMatch(/Content-Type: application\/problem\+json/);
      const body = JSON.parse(raw.slice(raw.indexOf('\r\n\r\n') + 4)) as { status: number };
      expect(body.status).toBe(431);
    });
  });
});
