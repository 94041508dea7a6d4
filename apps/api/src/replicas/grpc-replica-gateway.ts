import { Inject, Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { Metadata, status as GrpcStatus, type ServiceError } from '@grpc/grpc-js';
import type { Subscription } from 'rxjs';
import {
  CLUSTER_STATE_STORE,
  MEMBERSHIP,
  type ClusterState,
  type ClusterStateStore,
  type MemberInfo,
  type Membership,
} from '@distilled/cluster';
import {
  ErrorMetadata,
  ErrorReason,
  GrpcSecurity,
  ReplicaClientPool,
  fromCallStatus,
  isCompactPartsAnswer,
  readCompactPartsAnswer,
  joinParts,
  type AppendBatch,
  type ReplicaClient,
  type AppendResponse,
  type ReadBatchResponse,
  type ReadRangeRequest,
  type ReadRangeResponse,
  type ReadResponse,
  type StatusResponse,
} from '@distilled/proto';
import { MetricsService } from '../metrics/metrics.service';
import {
  ReplicaCallError,
  type Delivery,
  type FollowHandle,
  type PartAnswer,
  type FollowHandlers,
  type ReplicaGateway,
  type ReplicaRef,
} from './replica-gateway';
import { describeError } from '@distilled/common';

const REASONS = new Set<string>(Object.values(ErrorReason));

/**
 * The HTTP/2 flow-control window the API grants each replica (per call and per connection).
 * Node's default, 64 KiB, is smaller than one Range page of a thousand 100-byte messages
 * (~105 KB): the replica stopped mid-answer until the API's WINDOW_UPDATE came back, one more
 * round trip and wake-up on both sides per page. 1 MiB holds a page of the default maxBytes;
 * a Follow stream's flow control still bounds what a replica sends ahead (to this much).
 */
const RANGE_PAGE_WINDOW_BYTES = 1024 * 1024;

/**
 * The real ReplicaGateway: the view comes from libs/cluster (membership and state watches, read
 * only: the API never registers), the calls go through one pooled gRPC client per replica.
 */
@Injectable()
export class GrpcReplicaGateway implements ReplicaGateway, OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('ReplicaClientPool');
  /** One client per replica address, closed when the replica leaves the membership. */
  private readonly pool: ReplicaClientPool;
  private readonly subscriptions: Subscription[] = [];
  private readonly waiters = new Set<() => void>();
  private lastLeader: string | null | undefined;
  private closed = false;

  constructor(
    @Inject(MEMBERSHIP) private readonly membership: Membership,
    @Inject(CLUSTER_STATE_STORE) private readonly stateStore: ClusterStateStore,
    private readonly metrics: MetricsService,
    /** Plaintext or mutual TLS for every replica channel (ReplicasModule builds it from the config). */
    security: GrpcSecurity,
  ) {
    this.pool = new ReplicaClientPool({
      security,
      channelOptions: { 'grpc-node.flow_control_window': RANGE_PAGE_WINDOW_BYTES },
      onChange: (event, address) => this.logger.log(`client for replica at ${address} ${event}`),
    });
  }

  onModuleInit(): void {
    this.subscriptions.push(
      this.membership.members$.subscribe((members) => {
        this.pool.retain(new Set([...members.values()].map((member) => member.address)));
        this.wake();
      }),
      this.stateStore.state$.subscribe((versioned) => {
        const leader = versioned?.state.leader ?? null;
        if (this.lastLeader !== undefined && leader !== this.lastLeader) {
          this.metrics.leaderChanged();
        }
        this.lastLeader = leader;
        this.wake();
      }),
    );
  }

  /**
   * The last shutdown phase, not onModuleDestroy: Nest stops the HTTP server after the destroy
   * hooks, and the writes still in flight until then need their clients.
   */
  onApplicationShutdown(): void {
    this.closed = true;
    for (const subscription of this.subscriptions) subscription.unsubscribe();
    this.wake();
    this.pool.closeAll();
  }

  replicas(): ReplicaRef[] {
    return [...this.membership.current().values()].map(toRef);
  }

  leader(): ReplicaRef | null {
    const id = this.stateStore.current()?.state.leader;
    if (!id) return null;
    const member = this.membership.current().get(id);
    return member ? toRef(member) : null;
  }

  clusterState(): ClusterState | null {
    return this.stateStore.current()?.state ?? null;
  }

  viewChanged(timeoutMs: number): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.waiters.delete(done);
        resolve();
      };
      const timer = setTimeout(done, Math.max(0, timeoutMs));
      this.waiters.add(done);
    });
  }

  /** Over the replica's AppendStream: same answers and errors as Append, far less per call. */
  async append(
    replica: ReplicaRef,
    request: AppendBatch,
    deadline: number,
  ): Promise<AppendResponse> {
    if (this.closed) throw toCallError(replica, new Error('the API is shutting down'));
    try {
      return await this.pool.get(replica.address).appends.append(request, deadline);
    } catch (error) {
      throw toCallError(replica, error);
    }
  }

  /**
   * As the parts of one Append (AppendRequest.parts) when the replica's stream announced them;
   * before that (or from a replica that predates parts) as appends of their own, which leave
   * in one stream message all the same.
   */
  async appendParts(
    replica: ReplicaRef,
    requests: AppendBatch[],
    deadline: number,
  ): Promise<PartAnswer[]> {
    if (this.closed) throw toCallError(replica, new Error('the API is shutting down'));
    const appends = this.pool.get(replica.address).appends;
    if (!appends.takesParts) {
      return Promise.all(
        requests.map((request) =>
          appends.append(request, deadline).then(
            (response) => response,
            (error: unknown) => toCallError(replica, error),
          ),
        ),
      );
    }
    let response: AppendResponse;
    try {
      response = await appends.append(joinParts(requests), deadline);
    } catch (error) {
      throw toCallError(replica, error);
    }
    if (isCompactPartsAnswer(response)) {
      const read = readCompactPartsAnswer(
        response,
        requests.map((request) => request.messages.length),
      );
      if (typeof read !== 'string') return read;
      // Nothing tells which parts were stored: each may have been.
      throw new ReplicaCallError(replica, GrpcStatus.INTERNAL, null, 'maybe-sent', read);
    }
    const answers = response.parts ?? [];
    if (answers.length !== requests.length) {
      // Nothing tells which parts were stored: each may have been.
      throw new ReplicaCallError(
        replica,
        GrpcStatus.INTERNAL,
        null,
        'maybe-sent',
        `the replica answered ${answers.length} parts for ${requests.length}`,
      );
    }
    return answers.map((answer) => {
      if (answer.error && answer.error.code !== GrpcStatus.OK) {
        return toCallError(replica, fromCallStatus(answer.error));
      }
      if (answer.result) return answer.result;
      return new ReplicaCallError(
        replica,
        GrpcStatus.INTERNAL,
        null,
        'maybe-sent',
        'the replica sent an empty answer for a part',
      );
    });
  }

  read(replica: ReplicaRef, offset: number, deadline: number): Promise<ReadResponse> {
    return this.call(replica, (client) => client.read(offset, deadline));
  }

  readBatch(replica: ReplicaRef, offsets: number[], deadline: number): Promise<ReadBatchResponse> {
    return this.call(replica, (client) => client.readBatch(offsets, deadline));
  }

  status(replica: ReplicaRef, deadline: number): Promise<StatusResponse> {
    return this.call(replica, (client) => client.status(deadline));
  }

  readRange(
    replica: ReplicaRef,
    request: ReadRangeRequest,
    deadline: number,
  ): Promise<ReadRangeResponse> {
    // Over the replica's ReadRangeStream: a Range page costs a stream message, not a gRPC call.
    return this.call(replica, (client) => client.readRangeStreamed(request, deadline));
  }

  follow(replica: ReplicaRef, offset: number, handlers: FollowHandlers): FollowHandle {
    if (this.closed) {
      handlers.end(toCallError(replica, new Error('the API is shutting down')));
      return { cancel: () => undefined };
    }
    let client: ReplicaClient;
    try {
      client = this.pool.get(replica.address);
    } catch (error) {
      handlers.end(toCallError(replica, error));
      return { cancel: () => undefined };
    }
    return client.follow(offset, {
      response: handlers.response,
      end: (error) => handlers.end(error === null ? null : toCallError(replica, error)),
    });
  }

  private async call<T>(
    replica: ReplicaRef,
    invoke: (client: ReplicaClient) => Promise<T>,
  ): Promise<T> {
    if (this.closed) {
      // A client made now would never be closed; the call is refused before it is sent.
      throw toCallError(replica, new Error('the API is shutting down'));
    }
    try {
      return await invoke(this.pool.get(replica.address));
    } catch (error) {
      throw toCallError(replica, error);
    }
  }

  private wake(): void {
    for (const waiter of [...this.waiters]) waiter();
  }
}

function toRef(member: MemberInfo): ReplicaRef {
  return { id: member.id, address: member.address };
}

function isServiceError(error: unknown): error is ServiceError {
  return (
    error instanceof Error &&
    typeof (error as Partial<ServiceError>).code === 'number' &&
    (error as Partial<ServiceError>).metadata instanceof Metadata
  );
}

/**
 * grpc-js fails a call that never got a connection with UNAVAILABLE and one of these details;
 * only then is it certain that the request did not reach the replica.
 */
const NEVER_SENT =
  /No connection established|Name resolution failed|failed to connect|ECONNREFUSED|ENOTFOUND|EHOSTUNREACH|ENETUNREACH/i;

export function toCallError(replica: ReplicaRef, error: unknown): ReplicaCallError {
  if (!isServiceError(error)) {
    const message = describeError(error);
    // Failed before any call was made (e.g. the client could not be created).
    return new ReplicaCallError(replica, GrpcStatus.UNAVAILABLE, null, 'not-sent', message);
  }
  const first = (key: string): string | null => {
    const value = error.metadata.get(key)[0];
    return value === undefined ? null : value.toString();
  };
  const rawReason = first(ErrorMetadata.reason);
  const reason = rawReason !== null && REASONS.has(rawReason) ? (rawReason as ErrorReason) : null;
  const leaderId = first(ErrorMetadata.leaderId);
  const leaderAddress = first(ErrorMetadata.leaderAddress);
  const highWatermark = first(ErrorMetadata.highWatermark);
  const logEndOffset = first(ErrorMetadata.logEndOffset);
  const logStartOffset = first(ErrorMetadata.logStartOffset);
  const delivery: Delivery =
    reason === null && error.code === GrpcStatus.UNAVAILABLE && NEVER_SENT.test(error.details)
      ? 'not-sent'
      : 'maybe-sent';
  return new ReplicaCallError(
    replica,
    error.code,
    reason,
    delivery,
    error.details,
    leaderId && leaderAddress ? { id: leaderId, address: leaderAddress } : null,
    highWatermark !== null && /^\d+$/.test(highWatermark) ? Number(highWatermark) : null,
    logEndOffset !== null && /^\d+$/.test(logEndOffset) ? Number(logEndOffset) : null,
    first(ErrorMetadata.role),
    logStartOffset !== null && /^\d+$/.test(logStartOffset) ? Number(logStartOffset) : null,
  );
}
