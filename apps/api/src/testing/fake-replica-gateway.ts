import { setTimeout as sleep } from 'node:timers/promises';
import { Module } from '@nestjs/common';
import { status as GrpcStatus } from '@grpc/grpc-js';
import type { ClusterState } from '@distilled/cluster';
import {
  ErrorReason,
  type AppendBatch,
  type AppendResponse,
  type ReadBatchResponse,
  type ReadRangeRequest,
  type ReadRangeResponse,
  type ReadResponse,
  type StatusResponse,
} from '@distilled/proto';
import { FakeFollowStreams } from './fake-follow-streams';
import {
  REPLICA_GATEWAY,
  ReplicaCallError,
  type Delivery,
  type FollowHandle,
  type FollowHandlers,
  type PartAnswer,
  type ReplicaGateway,
  type ReplicaRef,
} from '../replicas/replica-gateway';

export type AppendBehaviour = (
  replica: ReplicaRef,
  request: AppendBatch,
) => AppendResponse | ReplicaCallError | Promise<AppendResponse | ReplicaCallError>;

/**
 * An in-memory cluster behind the ReplicaGateway interface, for specs: a committed log, a
 * leader, per-replica high watermarks, unreachable replicas, and a script of Append answers.
 * Its Append deduplicates by (producer id, sequence) like the real leader.
 */
export class FakeReplicaGateway implements ReplicaGateway {
  members: ReplicaRef[] = [
    { id: 'r1', address: 'r1:50051' },
    { id: 'r2', address: 'r2:50051' },
    { id: 'r3', address: 'r3:50051' },
  ];
  leaderId: string | null = 'r1';
  epoch = 1;
  readonly log: Buffer[] = [];
  /** Per-replica high watermark; the log length when absent. */
  readonly highWatermarks = new Map<string, number>();
  readonly unreachable = new Set<string>();
  /** Replicas repairing their log: every Read and ReadBatch is refused (UNAVAILABLE repairing). */
  readonly repairing = new Set<string>();
  /** Every replica's log start (retention): ReadRange below it is refused as offset-trimmed. */
  logStart = 0;
  /** Answers for the next Append calls, in order; after them, the default leader behaviour. */
  readonly appendScript: AppendBehaviour[] = [];
  /** Answers every Append once the script is used up; the healthy leader when null. */
  appendFallback: AppendBehaviour | null = null;
  /** Delay of every Append, to let writes pile up behind a batch in flight. */
  appendDelayMs = 0;
  readonly appendCalls: Array<{ replica: ReplicaRef; request: AppendBatch }> = [];
  /** appendParts calls (each part also appears in appendCalls). */
  readonly appendPartsCalls: Array<{ replica: ReplicaRef; requests: AppendBatch[] }> = [];
  readonly readCalls: Array<{ replica: ReplicaRef; offset: number }> = [];
  private readonly batches = new Map<string, AppendResponse>();

  replicas(): ReplicaRef[] {
    return [...this.members];
  }

  leader(): ReplicaRef | null {
    return this.members.find((member) => member.id === this.leaderId) ?? null;
  }

  clusterState(): ClusterState | null {
    return { epoch: this.epoch, leader: this.leaderId, isr: this.members.map((m) => m.id) };
  }

  viewChanged(timeoutMs: number): Promise<void> {
    return sleep(Math.min(timeoutMs, 5));
  }

  async append(
    replica: ReplicaRef,
    request: AppendBatch,
    _deadline?: number,
  ): Promise<AppendResponse> {
    this.appendCalls.push({ replica, request: { ...request, messages: [...request.messages] } });
    if (this.appendDelayMs > 0) await sleep(this.appendDelayMs);
    const scripted = this.appendScript.shift();
    const behaviour = scripted ?? this.appendFallback;
    const answer = behaviour
      ? await behaviour(replica, request)
      : this.leaderAppend(replica, request);
    if (answer instanceof ReplicaCallError) throw answer;
    return answer;
  }

  /** Each part as an append of its own (script and fallback included), like the real leader. */
  async appendParts(
    replica: ReplicaRef,
    requests: AppendBatch[],
    deadline?: number,
  ): Promise<PartAnswer[]> {
    this.appendPartsCalls.push({ replica, requests: [...requests] });
    return Promise.all(
      requests.map((request) =>
        this.append(replica, request, deadline).catch((error: unknown) => {
          if (error instanceof ReplicaCallError) return error;
          throw error;
        }),
      ),
    );
  }

  /** What a healthy leader does: append once per (producer, sequence), refuse as a follower. */
  leaderAppend(replica: ReplicaRef, request: AppendBatch): AppendResponse | ReplicaCallError {
    if (this.unreachable.has(replica.id)) return unreachableError(replica);
    if (replica.id !== this.leaderId) {
      return callError(replica, GrpcStatus.FAILED_PRECONDITION, ErrorReason.NotLeader, {
        leaderHint: this.leader(),
      });
    }
    const refusal = this.checkConditions(replica, request);
    return refusal ?? this.store(request);
  }

  /** Keyed requests the leader holds: key -> request hash (hex). */
  private readonly keyHashes = new Map<string, string>();

  /** The leader's refusals of keyed and conditional appends (a replay is answered by store). */
  checkConditions(replica: ReplicaRef, request: AppendBatch): ReplicaCallError | null {
    const key = request.idempotency_key;
    const hash = request.request_hash?.toString('hex') ?? '';
    if (key && this.keyHashes.has(key)) {
      return this.keyHashes.get(key) === hash
        ? null
        : callError(replica, GrpcStatus.FAILED_PRECONDITION, ErrorReason.KeyMismatch);
    }
    const expected = request.expected_offset;
    if (expected !== undefined && expected !== null && expected !== this.log.length) {
      return callError(replica, GrpcStatus.FAILED_PRECONDITION, ErrorReason.OffsetMismatch, {
        logEndOffset: this.log.length,
      });
    }
    return null;
  }

  /**
   * Appends to the log regardless of who is asked: "the leader stored it". Deduplicated by
   * Idempotency-Key when the request has one, else by (producer id, sequence) when it has a
   * producer, like the real leader.
   */
  store(request: AppendBatch): AppendResponse {
    const key = request.idempotency_key
      ? `key:${request.idempotency_key}`
      : request.producer_id
        ? `${request.producer_id}/${request.sequence}`
        : null;
    const known = key === null ? undefined : this.batches.get(key);
    if (known) return { ...known, duplicate: true };
    if (request.idempotency_key) {
      this.keyHashes.set(request.idempotency_key, request.request_hash?.toString('hex') ?? '');
    }
    const response = {
      base_offset: this.log.length,
      count: request.messages.length,
      duplicate: false,
    };
    this.log.push(...request.messages);
    if (key !== null) this.batches.set(key, response);
    return response;
  }

  async read(replica: ReplicaRef, offset: number): Promise<ReadResponse> {
    this.readCalls.push({ replica, offset });
    if (this.unreachable.has(replica.id)) throw unreachableError(replica);
    if (this.repairing.has(replica.id)) throw repairingError(replica);
    const highWatermark = this.highWatermarks.get(replica.id) ?? this.log.length;
    if (offset >= highWatermark) {
      throw callError(replica, GrpcStatus.OUT_OF_RANGE, ErrorReason.NotCommitted, {
        highWatermark,
        logEndOffset: this.log.length,
        role: this.roleOf(replica),
      });
    }
    return { offset, message: this.log[offset], high_watermark: highWatermark };
  }

  /** Recorded in readCalls one entry per offset, like that many Read calls. */
  readonly readBatchCalls: Array<{ replica: ReplicaRef; offsets: number[] }> = [];

  async readBatch(replica: ReplicaRef, offsets: number[]): Promise<ReadBatchResponse> {
    this.readBatchCalls.push({ replica, offsets });
    for (const offset of offsets) this.readCalls.push({ replica, offset });
    if (this.unreachable.has(replica.id)) throw unreachableError(replica);
    if (this.repairing.has(replica.id)) throw repairingError(replica);
    const highWatermark = this.highWatermarks.get(replica.id) ?? this.log.length;
    return {
      messages: offsets.map((offset) =>
        offset < highWatermark ? this.log[offset] : Buffer.alloc(0),
      ),
      found: offsets.map((offset) => offset < highWatermark),
      high_watermark: highWatermark,
    };
  }

  /** Roles as replicas report them; `roles` overrides (e.g. a restarted leader that is 'starting'). */
  readonly roles = new Map<string, string>();
  roleOf(replica: ReplicaRef): string {
    return this.roles.get(replica.id) ?? (replica.id === this.leaderId ? 'leader' : 'follower');
  }

  readonly readRangeCalls: Array<{ replica: ReplicaRef; request: ReadRangeRequest }> = [];

  /** Like a replica's ReadRange: below its HW, the long-poll wait polled every few ms. */
  async readRange(replica: ReplicaRef, request: ReadRangeRequest): Promise<ReadRangeResponse> {
    this.readRangeCalls.push({ replica, request });
    const deadline = Date.now() + request.wait_ms;
    for (;;) {
      if (this.unreachable.has(replica.id)) throw unreachableError(replica);
      if (this.repairing.has(replica.id)) throw repairingError(replica);
      if (request.offset < this.logStart) throw trimmedError(replica, this.logStart);
      const highWatermark = this.highWatermarkOf(replica);
      if (request.offset < highWatermark || Date.now() >= deadline) {
        const messages: Buffer[] = [];
        let bytes = 0;
        for (let at = request.offset; at < highWatermark; at++) {
          if (messages.length >= request.max_count) break;
          const message = this.log[at];
          if (messages.length > 0 && bytes + message.length > request.max_bytes) break;
          messages.push(message);
          bytes += message.length;
        }
        return {
          messages,
          high_watermark: highWatermark,
          role: this.roleOf(replica),
          log_start_offset: this.logStart,
        };
      }
      await sleep(2);
    }
  }

  /** Follow streams, pushed every few ms from the log below each replica's HW. */
  readonly followStreams = new FakeFollowStreams(this);

  follow(replica: ReplicaRef, offset: number, handlers: FollowHandlers): FollowHandle {
    return this.followStreams.start(replica, offset, handlers);
  }

  highWatermarkOf(replica: ReplicaRef): number {
    return this.highWatermarks.get(replica.id) ?? this.log.length;
  }

  /** Replicas whose Status says their disk is full. */
  readonly diskFull = new Set<string>();

  async status(replica: ReplicaRef): Promise<StatusResponse> {
    if (this.unreachable.has(replica.id)) throw unreachableError(replica);
    const leader = this.leader();
    return {
      id: replica.id,
      address: replica.address,
      role: replica.id === this.leaderId ? 'leader' : 'follower',
      epoch: this.epoch,
      leader_id: leader?.id ?? '',
      leader_address: leader?.address ?? '',
      isr: this.members.map((m) => m.id),
      in_sync: true,
      log_end_offset: this.log.length,
      high_watermark: this.highWatermarks.get(replica.id) ?? this.log.length,
      problem: '',
      log_start_offset: 0,
      log_size_bytes: 0,
      segments_deleted: 0,
      disk_full: this.diskFull.has(replica.id),
    };
  }
}

export function callError(
  replica: ReplicaRef,
  code: number,
  reason: ErrorReason | null,
  extra: {
    delivery?: Delivery;
    leaderHint?: ReplicaRef | null;
    highWatermark?: number;
    logEndOffset?: number;
    role?: string;
    logStartOffset?: number;
  } = {},
): ReplicaCallError {
  return new ReplicaCallError(
    replica,
    code,
    reason,
    extra.delivery ?? 'maybe-sent',
    reason ?? 'failed',
    extra.leaderHint ?? null,
    extra.highWatermark ?? null,
    extra.logEndOffset ?? null,
    extra.role ?? null,
    extra.logStartOffset ?? null,
  );
}

export function unreachableError(replica: ReplicaRef): ReplicaCallError {
  return callError(replica, GrpcStatus.UNAVAILABLE, null, { delivery: 'not-sent' });
}

/** offset-trimmed as a replica sends it: OUT_OF_RANGE with its log start. */
export function trimmedError(replica: ReplicaRef, logStart: number): ReplicaCallError {
  return callError(replica, GrpcStatus.OUT_OF_RANGE, ErrorReason.OffsetTrimmed, {
    logStartOffset: logStart,
  });
}

export function repairingError(replica: ReplicaRef): ReplicaCallError {
  return callError(replica, GrpcStatus.UNAVAILABLE, ErrorReason.Repairing);
}

@Module({})
class FakeReplicasModule {}

/** A stand-in for ReplicasModule: `overrideModule(ReplicasModule).useModule(fakeReplicasModule(g))`. */
export function fakeReplicasModule(gateway: ReplicaGateway) {
  return {
    module: FakeReplicasModule,
    providers: [{ provide: REPLICA_GATEWAY, useValue: gateway }],
    exports: [REPLICA_GATEWAY],
  };
}
