import * as grpc from '@grpc/grpc-js';
import { createReplicaStub, loadDistilledPackage } from './grpc-client';
import { RangeStreamClient } from './range-stream-client';
import { ReplicaClient } from './replica-client';
import type {
  ReadRangeRequest,
  ReadRangeStreamRequest,
  ReadRangeStreamResponse__Input,
} from './messages';

type Call = grpc.ServerDuplexStream<ReadRangeStreamRequest, ReadRangeStreamResponse__Input>;

const servers: grpc.Server[] = [];

/** A Replica server: ReadRangeStream does what `onRequest` says, unary ReadRange `unary`. */
async function startServer(
  onRequest?: (call: Call, message: ReadRangeStreamRequest) => void,
  unary?: (range: ReadRangeRequest) => { messages: Buffer[]; high_watermark: number; role: string },
  listenPort = 0,
) {
  const server = new grpc.Server();
  const handlers: grpc.UntypedServiceImplementation = {};
  if (onRequest) {
    handlers.ReadRangeStream = (call: Call) =>
      call.on('data', (message: ReadRangeStreamRequest) => onRequest(call, message));
  }
  if (unary) {
    handlers.ReadRange = (
      call: grpc.ServerUnaryCall<ReadRangeRequest, unknown>,
      callback: grpc.sendUnaryData<unknown>,
    ) => callback(null, unary(call.request));
  }
  server.addService(loadDistilledPackage().Replica.service, handlers);
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync(
      `127.0.0.1:${listenPort}`,
      grpc.ServerCredentials.createInsecure(),
      (error, bound) => (error ? reject(error) : resolve(bound)),
    ),
  );
  servers.push(server);
  return `127.0.0.1:${port}`;
}

const range = (offset: number) => ({ offset, max_count: 10, max_bytes: 1000, wait_ms: 0 });
const soon = () => Date.now() + 5_000;

afterEach(() => {
  for (const server of servers.splice(0)) server.forceShutdown();
});

describe('RangeStreamClient', () => {
  it('answers each read with its own result, in completion order, over one stream', async () => {
    const held: Array<() => void> = [];
    let streams = 0;
    const address = await startServer((call, message) => {
      if (message.request_id === 1) streams += 1;
      const answer = () =>
        call.write({
          request_id: message.request_id,
          result: {
            messages: [Buffer.from(`at ${message.range!.offset}`)],
            high_watermark: 99,
            role: 'follower',
          },
        });
      // The first read is a long-poll: it is answered last, and holds up nothing.
      if (message.range!.offset === 1) held.push(answer);
      else answer();
    });
    const client = new RangeStreamClient(createReplicaStub(address));
    const first = client.read(range(1), soon());
    const second = await client.read(range(2), soon());
    expect(second.messages.map(String)).toEqual(['at 2']);
    expect(client.inFlight).toBe(1);
    held[0]();
    expect((await first).messages.map(String)).toEqual(['at 1']);
    expect((await first).high_watermark).toBe(99);
    expect(streams).toBe(1);
    client.close();
  });

  it('rejects with the status and distilled-* metadata the replica reported', async () => {
    const address = await startServer((call, message) =>
      call.write({
        request_id: message.request_id,
        error: {
          code: grpc.status.OUT_OF_RANGE,
          details: 'offset 3 was deleted',
          metadata: { 'distilled-reason': 'offset-trimmed', 'distilled-log-start-offset': '7' },
        },
      }),
    );
    const client = new RangeStreamClient(createReplicaStub(address));
    const error = await client.read(range(3), soon()).catch((e: grpc.ServiceError) => e);
    expect(error).toMatchObject({
      code: grpc.status.OUT_OF_RANGE,
      details: 'offset 3 was deleted',
    });
    expect((error as grpc.ServiceError).metadata.get('distilled-reason')).toEqual([
      'offset-trimmed',
    ]);
    expect((error as grpc.ServiceError).metadata.get('distilled-log-start-offset')).toEqual(['7']);
    client.close();
  });

  it('fails a read past its deadline and ignores its late answer', async () => {
    const address = await startServer(() => undefined);
    const client = new RangeStreamClient(createReplicaStub(address));
    const error = await client.read(range(0), Date.now() + 50).catch((e: grpc.ServiceError) => e);
    expect(error).toMatchObject({ code: grpc.status.DEADLINE_EXCEEDED });
    expect(client.inFlight).toBe(0);
    client.close();
  });

  it('fails the waiting reads when the stream breaks, and opens a new one for the next', async () => {
    let calls = 0;
    const address = await startServer((call, message) => {
      calls += 1;
      if (calls === 1) {
        call.emit('error', { code: grpc.status.UNAVAILABLE, details: 'replica stopping' });
        return;
      }
      call.write({
        request_id: message.request_id,
        result: { messages: [], high_watermark: 5, role: 'leader' },
      });
    });
    const client = new RangeStreamClient(createReplicaStub(address));
    const error = await client.read(range(0), soon()).catch((e: grpc.ServiceError) => e);
    expect(error).toMatchObject({ code: grpc.status.UNAVAILABLE });
    const again = await client.read(range(0), soon());
    expect(again).toMatchObject({ high_watermark: 5, role: 'leader' });
    client.close();
  });

  it('fails the reads held by a replica that stops, and reads its restart at the same address', async () => {
    const held = await startServer(() => undefined);
    const client = new RangeStreamClient(createReplicaStub(held));
    const waiting = [1, 2, 3].map((offset) =>
      client.read(range(offset), soon()).catch((e: grpc.ServiceError) => e),
    );
    await new Promise((resolve) => setTimeout(resolve, 100));
    servers.splice(0).forEach((server) => server.forceShutdown());
    // A stopping server resets its streams (CANCELLED); a killed process drops the connection
    // (UNAVAILABLE): either way every held read fails, none is left waiting for its deadline.
    for (const error of await Promise.all(waiting)) {
      expect([grpc.status.CANCELLED, grpc.status.UNAVAILABLE]).toContain(
        (error as grpc.ServiceError).code,
      );
    }
    expect(client.inFlight).toBe(0);
    // The new process on the old port: the next reads go over a new stream (a read made while
    // the channel reconnects fails UNAVAILABLE, as a unary call would).
    await startServer(
      (call, message) =>
        call.write({
          request_id: message.request_id,
          result: { messages: [Buffer.from('back')], high_watermark: 1, role: 'leader' },
        }),
      undefined,
      Number(held.split(':')[1]),
    );
    let answer: unknown;
    for (
      let attempt = 0;
      attempt < 40 && !(answer as { messages?: unknown })?.messages;
      attempt++
    ) {
      answer = await client.read(range(0), soon()).catch((e: grpc.ServiceError) => e);
      if ((answer as grpc.ServiceError).code === grpc.status.UNAVAILABLE) {
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
    expect((answer as { messages: Buffer[] }).messages.map(String)).toEqual(['back']);
    client.close();
  });

  it('reports UNAVAILABLE when nothing listens, like a unary call', async () => {
    const client = new RangeStreamClient(createReplicaStub('127.0.0.1:1'));
    const error = await client.read(range(0), soon()).catch((e: grpc.ServiceError) => e);
    expect(error).toMatchObject({ code: grpc.status.UNAVAILABLE });
    client.close();
  });

  it('fails reads waiting at close CANCELLED, and refuses reads after it', async () => {
    const address = await startServer(() => undefined);
    const client = new RangeStreamClient(createReplicaStub(address));
    const waiting = client.read(range(0), soon()).catch((e: grpc.ServiceError) => e);
    client.close();
    expect(await waiting).toMatchObject({ code: grpc.status.CANCELLED });
    await expect(client.read(range(0), soon())).rejects.toMatchObject({
      code: grpc.status.CANCELLED,
    });
  });
});

describe('RangeStreamClient after UNIMPLEMENTED', () => {
  it('is unsupported for retryAfterMs, then tries the stream again (a replica upgraded in place)', async () => {
    const old = await startServer(undefined, () => ({
      messages: [],
      high_watermark: 0,
      role: 'leader',
    }));
    const client = new RangeStreamClient(createReplicaStub(old), 200);
    await expect(client.read(range(1), soon())).rejects.toMatchObject({
      code: grpc.status.UNIMPLEMENTED,
    });
    expect(client.unsupported).toBe(true);
    // The same address now runs a replica that knows the stream.
    servers.splice(0).forEach((server) => server.forceShutdown());
    await startServer(
      (call, message) =>
        call.write({
          request_id: message.request_id,
          result: { messages: [Buffer.from('streamed')], high_watermark: 1, role: 'leader' },
        }),
      undefined,
      Number(old.split(':')[1]),
    );
    await new Promise((resolve) => setTimeout(resolve, 250));
    expect(client.unsupported).toBe(false);
    expect((await client.read(range(1), soon())).messages.map(String)).toEqual(['streamed']);
    client.close();
  });
});

describe('ReplicaClient.readRangeStreamed', () => {
  it('reads a replica that predates ReadRangeStream with the unary call', async () => {
    const address = await startServer(undefined, (request) => ({
      messages: [Buffer.from(`unary ${request.offset}`)],
      high_watermark: 9,
      role: 'leader',
    }));
    const client = new ReplicaClient(address);
    expect((await client.readRangeStreamed(range(4), soon())).messages.map(String)).toEqual([
      'unary 4',
    ]);
    expect((await client.readRangeStreamed(range(5), soon())).messages.map(String)).toEqual([
      'unary 5',
    ]);
    client.close();
  });
});
