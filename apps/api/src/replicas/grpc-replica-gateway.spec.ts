import {
  Metadata,
  Server,
  ServerCredentials,
  status as GrpcStatus,
  type ServerDuplexStream,
  type ServerUnaryCall,
  type ServiceError,
  type sendUnaryData,
} from '@grpc/grpc-js';
import { BehaviorSubject } from 'rxjs';
import type {
  ClusterStateStore,
  MemberInfo,
  Membership,
  VersionedClusterState,
} from '@distilled/cluster';
import {
  APPEND_PARTS_HEADER,
  ErrorMetadata,
  ErrorReason,
  GrpcSecurity,
  loadDistilledPackage,
  type AppendRequest,
  type AppendResponse,
  type AppendStreamRequest,
  type AppendStreamResponse__Input,
  type ReadRequest,
  type ReadResponse,
} from '@distilled/proto';
// The module ReplicaClient makes its stubs with, so the spec can count them.
import * as stubs from '@distilled/proto/grpc-client';
import { MetricsService } from '../metrics/metrics.service';
import { GrpcReplicaGateway } from './grpc-replica-gateway';
import { ReplicaCallError } from './replica-gateway';

type Handler<Req, Res> = (call: ServerUnaryCall<Req, Res>, callback: sendUnaryData<Res>) => void;

/** A real gRPC server with the Replica service, answering as each test tells it to. */
class ReplicaServer {
  readonly server = new Server();
  address = '';
  /** Say in the AppendStream's response headers that AppendRequest.parts are taken. */
  announceParts = false;
  append: Handler<AppendRequest, AppendResponse> = (call, callback) =>
    callback(null, { base_offset: 7, count: call.request.messages.length, duplicate: false });
  read: Handler<ReadRequest, ReadResponse> = (call, callback) =>
    callback(null, { offset: call.request.offset, message: Buffer.from('m'), high_watermark: 9 });

  async start(): Promise<void> {
    const service = loadDistilledPackage().Replica.service;
    this.server.addService(service, {
      Append: (
        call: ServerUnaryCall<AppendRequest, AppendResponse>,
        cb: sendUnaryData<AppendResponse>,
      ) => this.append(call, cb),
      // The gateway appends over AppendStream: each request goes through the same `append`
      // handler as a unary call would, and its answer or error goes back on the stream.
      AppendStream: (
        call: ServerDuplexStream<AppendStreamRequest, AppendStreamResponse__Input>,
      ) => {
        if (this.announceParts) {
          const headers = new Metadata();
          headers.set(APPEND_PARTS_HEADER, '1');
          call.sendMetadata(headers);
        }
        call.on('data', (message: AppendStreamRequest) => {
          for (const request of message.appends) {
            this.append(
              { request } as ServerUnaryCall<AppendRequest, AppendResponse>,
              (error, result) => {
                const metadata: Record<string, string> = {};
                const failed = error as ServiceError | null;
                for (const [key, value] of Object.entries(failed?.metadata?.getMap() ?? {})) {
                  metadata[key] = value.toString();
                }
                const answer = failed
                  ? {
                      request_id: request.request_id,
                      error: { code: failed.code, details: failed.details, metadata },
                    }
                  : { request_id: request.request_id, result: result! };
                call.write({ answers: [answer] });
              },
            );
          }
        });
      },
      Read: (call: ServerUnaryCall<ReadRequest, ReadResponse>, cb: sendUnaryData<ReadResponse>) =>
        this.read(call, cb),
      Status: (_call: unknown, cb: sendUnaryData<unknown>) =>
        cb(null, { id: 'r1', role: 'leader' }),
    });
    const port = await new Promise<number>((resolve, reject) =>
      this.server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (error, bound) =>
        error ? reject(error) : resolve(bound),
      ),
    );
    this.address = `127.0.0.1:${port}`;
  }
}

function failure(code: number, entries: Record<string, string>): ServiceError {
  const metadata = new Metadata();
  for (const [key, value] of Object.entries(entries)) metadata.set(key, value);
  return Object.assign(new Error('refused'), { code, details: 'refused', metadata });
}

describe('GrpcReplicaGateway', () => {
  let replica: ReplicaServer;
  let members: BehaviorSubject<ReadonlyMap<string, MemberInfo>>;
  let state: BehaviorSubject<VersionedClusterState | null>;
  let gateway: GrpcReplicaGateway;
  let metrics: MetricsService;

  beforeEach(async () => {
    replica = new ReplicaServer();
    await replica.start();
    members = new BehaviorSubject<ReadonlyMap<string, MemberInfo>>(
      new Map([['r1', { id: 'r1', address: replica.address }]]),
    );
    state = new BehaviorSubject<VersionedClusterState | null>({
      state: { epoch: 1, leader: 'r1', isr: ['r1'] },
      modRevision: '1',
    });
    const membership = { members$: members, current: () => members.value } as unknown as Membership;
    const store = { state$: state, current: () => state.value } as unknown as ClusterStateStore;
    metrics = new MetricsService();
    gateway = new GrpcReplicaGateway(membership, store, metrics, GrpcSecurity.insecure());
    gateway.onModuleInit();
  });

  afterEach(() => {
    gateway.onApplicationShutdown();
    replica.server.forceShutdown();
  });

  const soon = () => Date.now() + 2000;

  describe('view', () => {
    it('resolves the leader from the cluster state and the membership', () => {
      expect(gateway.leader()).toEqual({ id: 'r1', address: replica.address });
      expect(gateway.replicas()).toEqual([{ id: 'r1', address: replica.address }]);
      state.next({ state: { epoch: 2, leader: 'r9', isr: ['r9'] }, modRevision: '2' });
      expect(gateway.leader()).toBeNull();
      expect(gateway.clusterState()).toEqual({ epoch: 2, leader: 'r9', isr: ['r9'] });
    });

    it('wakes waiters when the view changes, and counts leader changes', async () => {
      const started = Date.now();
      const waiting = gateway.viewChanged(5000);
      state.next({ state: { epoch: 2, leader: null, isr: ['r1'] }, modRevision: '2' });
      await waiting;
      expect(Date.now() - started).toBeLessThan(1000);
      expect(await metrics.render()).toMatch(/distilled_api_leader_changes_total 1/);
    });
  });

  describe('client pool', () => {
    it('makes one client per replica, not per call, and closes it when the replica leaves', async () => {
      const original = stubs.createReplicaStub;
      const closes: jest.SpyInstance[] = [];
      const create = jest.spyOn(stubs, 'createReplicaStub').mockImplementation((...args) => {
        const stub = original(...args);
        closes.push(jest.spyOn(stub, 'close'));
        return stub;
      });
      try {
        const target = gateway.leader()!;
        for (let i = 0; i < 5; i += 1) await gateway.read(target, i, soon());
        expect(create).toHaveBeenCalledTimes(1);
        members.next(new Map());
        expect(closes).toHaveLength(1);
        expect(closes[0]).toHaveBeenCalledTimes(1);
      } finally {
        create.mockRestore();
      }
    });
  });

  describe('calls', () => {
    it('appends through the pooled client', async () => {
      const request = {
        messages: [Buffer.from('a'), Buffer.from('b')],
        producer_id: 5,
        sequence: 3,
      };
      let received: AppendRequest | undefined;
      replica.append = (call, callback) => {
        received = call.request;
        callback(null, { base_offset: 10, count: 2, duplicate: false });
      };
      const target = gateway.leader()!;
      expect(await gateway.append(target, request, soon())).toMatchObject({
        base_offset: 10,
        count: 2,
        duplicate: false,
      });
      expect(received?.producer_id).toBe(5);
      expect(received?.sequence).toBe(3);
      expect(received?.messages.map(String)).toEqual(['a', 'b']);
    });

    describe('appendParts', () => {
      const keyed = (key: string) => ({
        messages: [Buffer.from(`m-${key}`)],
        producer_id: 0,
        sequence: 0,
        idempotency_key: key,
        request_hash: Buffer.from(`h-${key}`),
      });
      let received: AppendRequest[];
      beforeEach(() => {
        received = [];
        // A current leader: each part alone, "used" held with another body.
        replica.append = (call, callback) => {
          received.push(call.request);
          const parts = call.request.parts.map((part, i) =>
            part.idempotency_key === 'used'
              ? {
                  request_id: i,
                  error: {
                    code: GrpcStatus.FAILED_PRECONDITION,
                    details: 'key mismatch',
                    metadata: { [ErrorMetadata.reason]: ErrorReason.KeyMismatch },
                  },
                }
              : { request_id: i, result: { base_offset: 20 + i, count: part.count } },
          );
          if (parts.length > 0) return callback(null, { parts } as unknown as AppendResponse);
          if (call.request.idempotency_key === 'used') {
            return callback(
              failure(GrpcStatus.FAILED_PRECONDITION, {
                [ErrorMetadata.reason]: ErrorReason.KeyMismatch,
              }),
            );
          }
          callback(null, { base_offset: 30, count: 1, duplicate: false });
        };
      });

      it('asks for the compact answer and reads it, counts from the request', async () => {
        replica.announceParts = true;
        // A current leader: every part succeeded, so the answer is compact.
        replica.append = (call, callback) => {
          received.push(call.request);
          if (call.request.parts.length === 0) {
            return callback(null, { base_offset: 30, count: 0, duplicate: false });
          }
          if (!call.request.compact_parts_answer) return callback(new Error('asked in full'));
          callback(null, {
            part_base_offsets: [2 ** 40, 8],
            duplicate_parts: [1],
          } as unknown as AppendResponse);
        };
        const target = gateway.leader()!;
        await gateway.append(target, { messages: [], producer_id: 1, sequence: 1 }, soon());
        received = [];
        const two = { ...keyed('a'), messages: [Buffer.from('a1'), Buffer.from('a2')] };
        const answers = await gateway.appendParts(target, [two, keyed('b')], soon());
        expect(received).toHaveLength(1);
        expect(answers).toEqual([
          { base_offset: 2 ** 40, count: 2, duplicate: false },
          { base_offset: 8, count: 1, duplicate: true },
        ]);
      });

      it('fails every part as maybe stored when the compact answer does not fit the request', async () => {
        replica.announceParts = true;
        replica.append = (_call, callback) =>
          callback(null, { part_base_offsets: [5] } as unknown as AppendResponse);
        const target = gateway.leader()!;
        await gateway.append(target, { messages: [], producer_id: 1, sequence: 1 }, soon());
        const failed = await gateway
          .appendParts(target, [keyed('a'), keyed('b')], soon())
          .catch((error: unknown) => error);
        expect(failed).toBeInstanceOf(ReplicaCallError);
        expect(failed).toMatchObject({ code: GrpcStatus.INTERNAL, delivery: 'maybe-sent' });
      });

      it('sends keyed appends as the parts of one to a replica that announced them, each answered', async () => {
        replica.announceParts = true;
        const target = gateway.leader()!;
        await gateway.append(target, { messages: [], producer_id: 1, sequence: 1 }, soon());
        received = [];
        const answers = await gateway.appendParts(target, [keyed('a'), keyed('used')], soon());
        expect(received).toHaveLength(1);
        // Asked for the compact answer; this replica predates it and answers each part in full.
        expect(received[0].compact_parts_answer).toBe(true);
        expect(received[0].messages.map(String)).toEqual(['m-a', 'm-used']);
        expect(received[0].parts.map((p) => [p.idempotency_key, String(p.request_hash)])).toEqual([
          ['a', 'h-a'],
          ['used', 'h-used'],
        ]);
        expect(answers[0]).toMatchObject({ base_offset: 20, count: 1 });
        expect(answers[1]).toBeInstanceOf(ReplicaCallError);
        expect((answers[1] as ReplicaCallError).reason).toBe(ErrorReason.KeyMismatch);
      });

      it('sends them as appends of their own to a replica that did not announce parts', async () => {
        const target = gateway.leader()!;
        await gateway.append(target, { messages: [], producer_id: 1, sequence: 1 }, soon());
        received = [];
        const answers = await gateway.appendParts(target, [keyed('a'), keyed('used')], soon());
        expect(received.map((r) => [r.idempotency_key, r.parts.length])).toEqual([
          ['a', 0],
          ['used', 0],
        ]);
        expect(answers[0]).toMatchObject({ base_offset: 30 });
        expect((answers[1] as ReplicaCallError).reason).toBe(ErrorReason.KeyMismatch);
      });
    });

    it('decodes the reason, leader and high watermark from the trailers', async () => {
      replica.append = (_call, callback) =>
        callback(
          failure(GrpcStatus.FAILED_PRECONDITION, {
            [ErrorMetadata.reason]: ErrorReason.NotLeader,
            [ErrorMetadata.leaderId]: 'r2',
            [ErrorMetadata.leaderAddress]: 'host2:50051',
          }),
        );
      replica.read = (_call, callback) =>
        callback(
          failure(GrpcStatus.OUT_OF_RANGE, {
            [ErrorMetadata.reason]: ErrorReason.NotCommitted,
            [ErrorMetadata.highWatermark]: '42',
          }),
        );
      const target = gateway.leader()!;
      const appendError = await gateway
        .append(target, { messages: [], producer_id: 1, sequence: 1 }, soon())
        .catch((error: unknown) => error);
      expect(appendError).toBeInstanceOf(ReplicaCallError);
      expect(appendError).toMatchObject({
        code: GrpcStatus.FAILED_PRECONDITION,
        reason: ErrorReason.NotLeader,
        leaderHint: { id: 'r2', address: 'host2:50051' },
        delivery: 'maybe-sent',
      });
      const readError = await gateway.read(target, 50, soon()).catch((error: unknown) => error);
      expect(readError).toMatchObject({ reason: ErrorReason.NotCommitted, highWatermark: 42 });
    });

    it('reports a replica nobody listens on as never sent', async () => {
      const closed = new Server();
      const port = await new Promise<number>((resolve, reject) =>
        closed.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (error, bound) =>
          error ? reject(error) : resolve(bound),
        ),
      );
      closed.forceShutdown();
      const error = await gateway
        .append(
          { id: 'gone', address: `127.0.0.1:${port}` },
          { messages: [], producer_id: 1, sequence: 1 },
          soon(),
        )
        .catch((rejection: unknown) => rejection);
      expect(error).toMatchObject({
        code: GrpcStatus.UNAVAILABLE,
        reason: null,
        delivery: 'not-sent',
      });
    });

    it('reports a connection lost during the call as maybe sent', async () => {
      replica.append = () => setTimeout(() => replica.server.forceShutdown(), 20);
      const error = await gateway
        .append(
          gateway.leader()!,
          { messages: [Buffer.from('x')], producer_id: 1, sequence: 1 },
          soon(),
        )
        .catch((rejection: unknown) => rejection);
      expect(error).toBeInstanceOf(ReplicaCallError);
      expect(error).toMatchObject({ delivery: 'maybe-sent' });
    });

    it('reports a call past its deadline as maybe sent', async () => {
      replica.append = () => undefined;
      const error = await gateway
        .append(gateway.leader()!, { messages: [], producer_id: 1, sequence: 1 }, Date.now() + 100)
        .catch((rejection: unknown) => rejection);
      expect(error).toMatchObject({ code: GrpcStatus.DEADLINE_EXCEEDED, delivery: 'maybe-sent' });
    });
  });
});
