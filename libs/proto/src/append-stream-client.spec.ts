import * as grpc from '@grpc/grpc-js';
import { APPEND_PARTS_HEADER, AppendStreamClient, joinParts } from './append-stream-client';
import { createReplicaStub, loadDistilledPackage } from './grpc-client';
import type {
  AppendAnswer__Input,
  AppendBatch,
  AppendRequest,
  AppendStreamRequest,
  AppendStreamResponse__Input,
} from './messages';

type Call = grpc.ServerDuplexStream<AppendStreamRequest, AppendStreamResponse__Input>;

/** Messages the test server received (each may carry several appends). */
let received: AppendStreamRequest[] = [];
const reply = (call: Call, answer: AppendAnswer__Input) => call.write({ answers: [answer] });

/**
 * A Replica server whose AppendStream does what `onRequest` says; with `parts`, it announces in
 * its response headers that it takes AppendRequest.parts, as a current replica does.
 */
async function startServer(
  onRequest: (call: Call, request: AppendRequest) => void,
  options: { parts?: boolean } = {},
) {
  const server = new grpc.Server();
  const service = loadDistilledPackage().Replica.service;
  server.addService(service, {
    AppendStream: (call: Call) => {
      if (options.parts) {
        const headers = new grpc.Metadata();
        headers.set(APPEND_PARTS_HEADER, '1');
        call.sendMetadata(headers);
      }
      call.on('data', (message: AppendStreamRequest) => {
        received.push(message);
        for (const request of message.appends) onRequest(call, request);
      });
    },
  });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (error, bound) =>
      error ? reject(error) : resolve(bound),
    ),
  );
  return { server, address: `127.0.0.1:${port}` };
}

const request = (text: string): AppendBatch => ({
  messages: [Buffer.from(text)],
  producer_id: 5,
  sequence: 1,
});

const keyed = (key: string, ...texts: string[]): AppendBatch => ({
  messages: texts.map((text) => Buffer.from(text)),
  producer_id: 0,
  sequence: 0,
  idempotency_key: key,
  request_hash: Buffer.from(`hash-${key}`),
});

/** Answers each part of a request with parts: offsets from 100, part "b" refused in flight. */
function answerParts(call: Call, r: AppendRequest): void {
  let offset = 100;
  reply(call, {
    request_id: r.request_id,
    result: {
      parts: r.parts.map((part, index) => {
        if (part.idempotency_key === 'b') {
          return {
            request_id: index,
            error: {
              code: grpc.status.ABORTED,
              details: 'key in flight',
              metadata: { 'distilled-reason': 'key-in-flight' },
            },
          };
        }
        const result = { base_offset: offset, count: part.count, duplicate: false };
        offset += part.count;
        return { request_id: index, result };
      }),
    },
  });
}

/** A first append opens the stream and receives its headers; appends after it see them. */
async function warmUp(appends: AppendStreamClient): Promise<void> {
  await appends.append(request('warm-up'), Date.now() + 5000);
  received = [];
}

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
    expect(await slow).toMatchObject({ base_offset: 10, count: 1, duplicate: false });
    expect(await fast).toMatchObject({ base_offset: 20, count: 1, duplicate: false });
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

  it('sends every field of a request: idempotency key, request hash, expected offset', async () => {
    const started = await startServer((call, r) =>
      reply(call, {
        request_id: r.request_id!,
        result: { base_offset: 0, count: 1, duplicate: false },
      }),
    );
    server = started.server;
    const appends = connect(started.address);
    const keyed: AppendBatch = {
      ...request('k'),
      producer_id: 0,
      sequence: 0,
      idempotency_key: 'key-1',
      request_hash: Buffer.from('0123456789abcdef'),
      expected_offset: 0,
    };
    await appends.append(keyed, Date.now() + 5000);
    await appends.append(request('plain'), Date.now() + 5000);
    const [first, second] = received.map((m) => m.appends[0]);
    expect(first).toMatchObject({ idempotency_key: 'key-1', expected_offset: 0 });
    expect(first.request_hash?.toString()).toBe('0123456789abcdef');
    // Absent stays absent: an unset expected_offset must not arrive as 0.
    expect(second.expected_offset).toBeUndefined();
    expect(second.idempotency_key).toBe('');
  });

  it('fails an append past its deadline with DEADLINE_EXCEEDED and ignores its late answer', async () => {
    const started = await startServer(() => undefined); // never answers
    server = started.server;
    const appends = connect(started.address);
    const error = await appends.append(request('x'), Date.now() + 50).catch((e) => e);
    expect(error.code).toBe(grpc.status.DEADLINE_EXCEEDED);
    expect(appends.inFlight).toBe(0);
  });

  it('keeps each append to its own deadline, an earlier one sent later included', async () => {
    // Answers "late" after 150 ms, never the others.
    const started = await startServer((call, r) => {
      if (r.messages[0].toString() === 'late') {
        setTimeout(
          () =>
            reply(call, {
              request_id: r.request_id,
              result: { base_offset: 7, count: 1, duplicate: false },
            }),
          150,
        );
      }
    });
    server = started.server;
    const appends = connect(started.address);
    const began = Date.now();
    const patient = appends.append(request('patient'), began + 400).catch((e) => e);
    const late = appends.append(request('late'), began + 5000);
    const hasty = appends.append(request('hasty'), began + 40).catch((e) => e);
    const hastyError = await hasty;
    expect(hastyError.code).toBe(grpc.status.DEADLINE_EXCEEDED);
    // Not held back by the deadlines armed before it.
    expect(Date.now() - began).toBeLessThan(300);
    expect((await late).base_offset).toBe(7);
    expect((await patient).code).toBe(grpc.status.DEADLINE_EXCEEDED);
    expect(Date.now() - began).toBeGreaterThanOrEqual(390);
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

  describe('appends with parts (keyed requests grouped by the caller)', () => {
    const answerAll = (call: Call, r: AppendRequest) =>
      r.parts.length > 0
        ? answerParts(call, r)
        : reply(call, {
            request_id: r.request_id,
            result: { base_offset: 1, count: r.messages.length, duplicate: false },
          });

    it("sends a request with parts whole and answers it with each part's answer", async () => {
      const started = await startServer(answerAll, { parts: true });
      server = started.server;
      const appends = connect(started.address);
      expect(appends.takesParts).toBe(false); // no stream open yet
      await warmUp(appends);
      expect(appends.takesParts).toBe(true);
      const grouped = joinParts([keyed('a', 'a1', 'a2'), keyed('b', 'b1'), keyed('c', 'c1')]);
      const response = await appends.append(grouped, Date.now() + 5000);
      expect(
        (response.parts ?? []).map((p) => [p.result?.base_offset ?? null, p.error?.code]),
      ).toEqual([
        [100, undefined],
        [null, grpc.status.ABORTED],
        [102, undefined],
      ]);
      expect(received).toHaveLength(1);
      const [sent] = received[0].appends;
      expect(sent.messages.map(String)).toEqual(['a1', 'a2', 'b1', 'c1']);
      expect(sent.parts.map((p) => [p.idempotency_key, p.count, String(p.request_hash)])).toEqual([
        ['a', 2, 'hash-a'],
        ['b', 1, 'hash-b'],
        ['c', 1, 'hash-c'],
      ]);
      expect(sent.idempotency_key).toBe('');
      expect(appends.inFlight).toBe(0);
    });

    it('never sends parts to a replica that did not announce them: refused, nothing sent', async () => {
      const started = await startServer(answerAll); // an older replica: no header
      server = started.server;
      const appends = connect(started.address);
      await warmUp(appends);
      expect(appends.takesParts).toBe(false);
      const refused = await appends
        .append(joinParts([keyed('a', 'a1')]), Date.now() + 5000)
        .catch((e: grpc.ServiceError) => e);
      expect((refused as grpc.ServiceError).code).toBe(grpc.status.CANCELLED);
      await appends.append(keyed('a', 'a1'), Date.now() + 5000);
      expect(
        received.flatMap((m) => m.appends).map((r) => [r.idempotency_key, r.parts.length]),
      ).toEqual([['a', 0]]);
    });
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
