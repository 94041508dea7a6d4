import { connect, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { createTestApp, type TestApp } from '../testing/create-test-app';

/** A raw connection: what it received and when it was closed. */
interface RawConnection {
  socket: Socket;
  received: () => string;
  closed: Promise<number>;
}

function open(port: number): Promise<RawConnection> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let data = '';
    const started = Date.now();
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (data += chunk));
    const closed = new Promise<number>((done) =>
      socket.on('close', () => done(Date.now() - started)),
    );
    socket.on('error', () => undefined);
    socket.once('connect', () => resolve({ socket, received: () => data, closed }));
    socket.once('error', reject);
  });
}

function statusAndProblem(raw: string): { status: number; type: string; body: unknown } {
  const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(raw)?.[1]);
  const type = /content-type: ([^\r\n]+)/i.exec(raw)?.[1] ?? '';
  const text = raw.slice(raw.indexOf('\r\n\r\n') + 4);
  return { status, type, body: text ? (JSON.parse(text) as unknown) : undefined };
}

// Slow, idle and malformed clients against the real server on a socket: each gets problem+json
// where an answer can be written, is cut off in bounded time, and appends nothing.
describe('slow and malformed clients', () => {
  let test: TestApp;
  let port: number;
  beforeAll(async () => {
    test = await createTestApp({
      headersTimeoutMs: 400,
      requestTimeoutMs: 800,
      keepAliveTimeoutMs: 300,
      maxConnections: 4,
    });
    await test.app.listen(0, '127.0.0.1');
    port = (test.app.getHttpServer().address() as AddressInfo).port;
  });
  afterAll(async () => {
    await test?.app.close();
  });
  afterEach(() => {
    expect(test.gateway.appendCalls).toHaveLength(0);
  });

  it('answers headers that trickle in past the headers timeout with 408 and closes', async () => {
    const client = await open(port);
    client.socket.write('POST /Data HTTP/1.1\r\nHost: localhost\r\n');
    const trickle = setInterval(() => client.socket.write('X-Slow: 1\r\n'), 100);
    const closedAfter = await client.closed;
    clearInterval(trickle);
    expect(closedAfter).toBeGreaterThanOrEqual(400);
    expect(closedAfter).toBeLessThan(2000);
    const answer = statusAndProblem(client.received());
    expect(answer.status).toBe(408);
    expect(answer.type).toMatch(/^application\/problem\+json/);
    expect(answer.body).toMatchObject({
      status: 408,
      type: expect.stringMatching(/request-timeout$/),
    });
  });

  it('answers a body that trickles in past the request timeout with 408 and closes', async () => {
    const client = await open(port);
    client.socket.write(
      'POST /Data HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 40\r\n\r\n{"mess',
    );
    const trickle = setInterval(() => client.socket.write(' '), 100);
    const closedAfter = await client.closed;
    clearInterval(trickle);
    expect(closedAfter).toBeGreaterThanOrEqual(800);
    expect(closedAfter).toBeLessThan(2500);
    expect(statusAndProblem(client.received())).toMatchObject({
      status: 408,
      type: expect.stringMatching(/^application\/problem\+json/),
    });
  });

  it('closes an idle keep-alive connection after the keep-alive timeout', async () => {
    const client = await open(port);
    client.socket.write('GET /health HTTP/1.1\r\nHost: localhost\r\n\r\n');
    const closedAfter = await client.closed;
    expect(client.received()).toMatch(/^HTTP\/1\.1 200 /);
    // Node closes a keep-alive connection up to ~1 s after keepAliveTimeout (its own margin).
    expect(closedAfter).toBeGreaterThanOrEqual(300);
    expect(closedAfter).toBeLessThan(2500);
  });

  it('closes connections past the cap at once, and serves again when one is freed', async () => {
    const held = await Promise.all([open(port), open(port), open(port), open(port)]);
    const extra = await open(port);
    expect(await extra.closed).toBeLessThan(500);
    expect(extra.received()).toBe('');
    held[0].socket.destroy();
    await held[0].closed;
    await new Promise((resolve) => setTimeout(resolve, 50));
    const again = await open(port);
    again.socket.write('GET /health HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n');
    await again.closed;
    expect(again.received()).toMatch(/^HTTP\/1\.1 200 /);
    for (const client of held) client.socket.destroy();
  });

  it.each<[string, string]>([
    [
      'no Host header',
      'POST /Data HTTP/1.1\r\nContent-Type: application/json\r\nContent-Length: 17\r\n\r\n{"message": "x"}\n',
    ],
    [
      'both Content-Length and Transfer-Encoding',
      'POST /Data HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 17\r\nTransfer-Encoding: chunked\r\n\r\n11\r\n{"message": "x"}\n\r\n0\r\n\r\n',
    ],
    [
      'a chunk size that is not hexadecimal',
      'POST /Data HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n{"message": "x"}\r\n0\r\n\r\n',
    ],
    ['a request line that is not HTTP', 'HELLO THERE\r\n\r\n'],
    [
      'a header without a colon',
      'GET /health HTTP/1.1\r\nHost: localhost\r\nBroken header\r\n\r\n',
    ],
  ])('%s: 400 problem+json', async (_name, request) => {
    const client = await open(port);
    client.socket.write(request);
    const closedAfter = await client.closed;
    expect(closedAfter).toBeLessThan(250); // closed with the answer, not by the keep-alive timeout
    expect(statusAndProblem(client.received())).toMatchObject({
      status: 400,
      type: expect.stringMatching(/^application\/problem\+json/),
      body: expect.objectContaining({ status: 400, detail: expect.any(String) }),
    });
  });
});
