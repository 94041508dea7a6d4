import * as grpc from '@grpc/grpc-js';
import { AppendStreamClient } from './append-stream-client';
import { createReplicaStub, loadDistilledPackage } from './grpc-client';
import type {
  AppendAnswer__Input,
  AppendRequest,
  AppendStreamRequest,
  AppendStreamResponse__Input,
} from './messages';

type Call = grpc.ServerDuplexStream<AppendStreamRequest, AppendStreamResponse__Input>;

/** Messages the test server received (each may carry several appends). */
let received: AppendStreamRequest[] = [];
const reply = (call: Call, answer: AppendAnswer__Input) => call.write({ answers: [answer] });

/** A Replica server whose AppendStream does what `onRequest` says. */
async function startServer(onRequest: (call: Call, request: AppendRequest) => void) {
  const server = new grpc.Server();
  const service = loadDistilledPackage().Replica.service;
  server.addService(service, {
    AppendStream: (call: Call) =>
      call.on('data', (message: AppendStreamRequest) => {
        received.push(message);
        for (const request of message.appends) onRequest(call, request);
      }),
  });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (error, bound) =>
      error ? reject(error) : resolve(bound),
    ),
  );
  return { server, address: `127.0.0.1:${port}` };
}

const request = (text: string): Omit<AppendRequest, 'request_id'> => ({
  messages: [Buffer.from(text)],
  producer_id: 5,
  sequence: 1,
});

describe('AppendStreamClient', () => {
  let server: grpc.Server | undefined;
  let client: grpc.Client | undefined;
  beforeEach(() => (received = []));
  afterEach(() => {
    client?.close();
    server?.forceShutdown();
    client = server = undefined;
  });

  function connect(address: string) {
    const stub = createReplicaStub(address);
    client = stub;
    return new AppendStreamClient(stub);
  }

  it('answers concurrent appends by id, in completion order, with results and errors', async () => {
    const started = await startServer((call, r) => {
      const text = r.messages[0].toString();
      const delay = text === 'slow' ? 30 : 0;
      setTimeout(() => {
        if (text === 'refuse') {
          reply(call, {
            request_id: r.request_id,
            error: {
              code: grpc.status.FAILED_PRECONDITION,
              details: 'not the leader',
              metadata: { 'distilled-reason': 'not-leader', 'distilled-leader-id': 'r2' },
            },
          });
        } else {
          reply(call, {
            request_id: r.request_id,
            result: { base_offset: r.request_id * 10, count: 1, duplicate: false },
          });
        }
      }, delay);
    });
    server = started.server;
    const appends = connect(started.address);
    const deadline = Date.now() + 5000;
    const order: string[] = [];
    const slow = appends.append(request('slow'), deadline).then((r) => (order.push('slow'), r));
    const fast = appends.append(request('fast'), deadline).then((r) => (order.push('fast'), r));
    const refused = appends.append(request('refuse'), deadline).catch((e: grpc.ServiceError) => e);
    expect(await slow).toEqual({ base_offset: 10, count: 1, duplicate: false });
    expect(await fast).toEqual({ base_offset: 20, count: 1, duplicate: false });
    expect(order).toEqual(['fast', 'slow']);
    const error = (await refused) as grpc.ServiceError;
    expect(error.code).toBe(grpc.status.FAILED_PRECONDITION);
    expect(error.details).toBe('not the leader');
    expect(error.metadata.get('distilled-leader-id')).toEqual(['r2']);
    expect(appends.inFlight).toBe(0);
  });

  it('sends the appends of one tick in one stream message', async () => {
    const started = await startServer((call, r) =>
      reply(call, {
        request_id: r.request_id,
        result: { base_offset: r.request_id, count: 1, duplicate: false },
      }),
    );
    server = started.server;
    const appends = connect(started.address);
    const deadline = Date.now() + 5000;
    await Promise.all([1, 2, 3].map((i) => appends.append(request(`m${i}`), deadline)));
    await appends.append(request('later'), deadline);
    expect(received.map((m) => m.appends.map((a) => a.messages[0].toString()))).toEqual([
      ['m1', 'm2', 'm3'],
      ['later'],
    ]);
  });

  it('fails an append past its deadline with DEADLINE_EXCEEDED and ignores its late answer', async () => {
    const started = await startServer(() => undefined); // never answers
    server = started.server;
    const appends = connect(started.address);
    const error = await appends.append(request('x'), Date.now() + 50).catch((e) => e);
    expect(error.code).toBe(grpc.status.DEADLINE_EXCEEDED);
    expect(appends.inFlight).toBe(0);
  });

  it('fails waiting appends when the replica ends the stream, and opens a new one next time', async () => {
    let calls = 0;
    const started = await startServer((call, r) => {
      calls += 1;
      if (calls === 1) call.end();
      else
        reply(call, {
          request_id: r.request_id,
          result: { base_offset: 1, count: 1, duplicate: false },
        });
    });
    server = started.server;
    const appends = connect(started.address);
    const error = await appends.append(request('a'), Date.now() + 5000).catch((e) => e);
    expect(error.code).toBe(grpc.status.UNAVAILABLE);
    expect(error.details).toMatch(/ended the append stream/);
    expect((await appends.append(request('b'), Date.now() + 5000)).base_offset).toBe(1);
  });

  it('reports an append the stream carried as possibly stored, whatever status ended the stream', async () => {
    const started = await startServer((call) =>
      call.emit('error', { code: grpc.status.RESOURCE_EXHAUSTED, details: 'message too large' }),
    );
    server = started.server;
    const appends = connect(started.address);
    const error = await appends.append(request('a'), Date.now() + 5000).catch((e) => e);
    // Not RESOURCE_EXHAUSTED: for a unary call that means "refused before the handler ran",
    // but this append reached the replica before the stream failed.
    expect(error.code).toBe(grpc.status.UNAVAILABLE);
    expect(error.details).toMatch(/failed after the append was sent \(RESOURCE_EXHAUSTED\)/);
  });

  it('reports a replica that cannot be reached the way a unary call does (never sent)', async () => {
    const started = await startServer(() => undefined);
    const address = started.address;
    started.server.forceShutdown();
    const appends = connect(address);
    const error = await appends.append(request('a'), Date.now() + 5000).catch((e) => e);
    expect(error.code).toBe(grpc.status.UNAVAILABLE);
    expect(error.details).toMatch(/No connection established|ECONNREFUSED|failed to connect/i);
  });

  it('close() lets appends already waiting finish the way they would have', async () => {
    const started = await startServer((call, r) =>
      setTimeout(
        () =>
          reply(call, {
            request_id: r.request_id,
            result: { base_offset: 5, count: 1, duplicate: false },
          }),
        50,
      ),
    );
    server = started.server;
    const appends = connect(started.address);
    const waiting = appends.append(request('a'), Date.now() + 5000);
    appends.close();
    expect((await waiting).base_offset).toBe(5);
    // A replica nobody listens on: the waiting append is "never sent", not "cancelled".
    const gone = await startServer(() => undefined);
    gone.server.forceShutdown();
    const unreachable = connect(gone.address);
    const lost = unreachable.append(request('b'), Date.now() + 5000).catch((e) => e);
    unreachable.close();
    const error = await lost;
    expect(error.code).toBe(grpc.status.UNAVAILABLE);
    expect(error.details).toMatch(/No connection established|ECONNREFUSED/i);
  });

  it('refuses appends after close', async () => {
    const appends = new AppendStreamClient({
      AppendStream: () => {
        throw new Error('must not open');
      },
    });
    appends.close();
    await expect(appends.append(request('a'), Date.now() + 1000)).rejects.toMatchObject({
      code: grpc.status.CANCELLED,
    });
  });
});
