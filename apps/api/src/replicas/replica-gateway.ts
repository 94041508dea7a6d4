import type { ErrorReason } from '@distilled/proto';
import type {
  AppendBatch,
  AppendResponse,
  FollowResponse,
  ReadBatchResponse,
  ReadRangeRequest,
  ReadRangeResponse,
  ReadResponse,
  StatusResponse,
} from '@distilled/proto';
import type { ClusterState } from '@distilled/cluster';

/** A replica as the API dials it. */
export interface ReplicaRef {
  id: string;
  /** host:port of its gRPC server. */
  address: string;
}

/**
 * Whether a failed call may have reached the replica. `not-sent` only when gRPC proves it never
 * left this process (no connection could be made); anything else may have been received.
 */
export type Delivery = 'not-sent' | 'maybe-sent';

/** One keyed append's answer within appendParts: its response, or its refusal. */
export type PartAnswer = AppendResponse | ReplicaCallError;

/** A failed call to one replica, decoded from the gRPC status and trailing metadata. */
export class ReplicaCallError extends Error {
  constructor(
    readonly replica: ReplicaRef,
    /** gRPC status code (@grpc/grpc-js `status`). */
    readonly code: number,
    /** `distilled-reason` from the trailers; null when the replica sent none (or never answered). */
    readonly reason: ErrorReason | null,
    readonly delivery: Delivery,
    readonly details: string,
    /** From not-leader: the leader the replica knows of. */
    readonly leaderHint: ReplicaRef | null = null,
    /** From not-committed: the replica's high watermark. */
    readonly highWatermark: number | null = null,
    /** From not-committed: the replica's log end offset. */
    readonly logEndOffset: number | null = null,
    /** From not-committed: the answering replica's role ("leader" only while it leads). */
    readonly role: string | null = null,
    /** From offset-trimmed: the first offset the replica still serves. */
    readonly logStartOffset: number | null = null,
  ) {
    super(`${replica.id}: ${reason ?? `grpc status ${code}`}: ${details}`);
    this.name = 'ReplicaCallError';
  }
}

/**
 * Everything the API needs from the replicas: the current view of the cluster (from etcd) and
 * one call at a time to one replica. The real one holds one gRPC client per replica; specs use
 * a fake. Routing, retries and batching live above it, in the producer and the reader, so they
 * are tested against the fake. Calls reject with ReplicaCallError only.
 */
export interface ReplicaGateway {
  /** Replicas registered now (etcd membership). */
  replicas(): ReplicaRef[];
  /** The leader per the cluster state, if it is registered; null when none is known. */
  leader(): ReplicaRef | null;
  /** The cluster state (epoch, leader, ISR), or null before the first election. */
  clusterState(): ClusterState | null;
  /** Resolves at the next change of membership or state, or after `timeoutMs`. */
  viewChanged(timeoutMs: number): Promise<void>;

  /** `deadline` is an absolute time in ms since the epoch (Date.now() scale). */
  append(replica: ReplicaRef, request: AppendBatch, deadline: number): Promise<AppendResponse>;
  /**
   * Several keyed appends (each with an idempotency_key, no producer, no expected offset) in one
   * call: answers[i] is requests[i]'s answer or its refusal, exactly as append() would have
   * answered it alone. Rejects (ReplicaCallError) only when the call as a whole failed; then
   * every one of them failed that way.
   */
  appendParts(
    replica: ReplicaRef,
    requests: AppendBatch[],
    deadline: number,
  ): Promise<PartAnswer[]>;
  read(replica: ReplicaRef, offset: number, deadline: number): Promise<ReadResponse>;
  /** Several offsets in one call; an offset not committed there comes back with found false. */
  readBatch(replica: ReplicaRef, offsets: number[], deadline: number): Promise<ReadBatchResponse>;
  status(replica: ReplicaRef, deadline: number): Promise<StatusResponse>;
  /** Committed messages from request.offset (ReadRange; empty past what the replica committed). */
  readRange(
    replica: ReplicaRef,
    request: ReadRangeRequest,
    deadline: number,
  ): Promise<ReadRangeResponse>;
  /** Opens a Follow stream from `offset`; the handlers hear every response and its one end. */
  follow(replica: ReplicaRef, offset: number, handlers: FollowHandlers): FollowHandle;
}

/** What a Follow stream tells its opener. */
export interface FollowHandlers {
  response(response: FollowResponse): void;
  /** Called once: the stream failed (a ReplicaCallError) or the replica ended it (null). */
  end(error: ReplicaCallError | null): void;
}

export interface FollowHandle {
  /** Closes the stream; `end` is not called after it. */
  cancel(): void;
}

export const REPLICA_GATEWAY = Symbol('REPLICA_GATEWAY');
