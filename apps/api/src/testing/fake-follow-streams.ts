import { status as GrpcStatus } from '@grpc/grpc-js';
import { ErrorReason } from '@distilled/proto';
import type { FollowHandle, FollowHandlers, ReplicaRef } from '../replicas/replica-gateway';
import type { FakeReplicaGateway } from './fake-replica-gateway';
import { callError, unreachableError } from './fake-replica-gateway';

interface OpenStream {
  replica: ReplicaRef;
  next: number;
  handlers: FollowHandlers;
  timer: NodeJS.Timeout;
  lastSent: number;
}

/**
 * Follow streams of the fake cluster: every few ms each open stream gets what its replica has
 * committed past its position (or a heartbeat after a quiet while), as a real replica sends it.
 * Specs kill streams (`fail`) or stall them (`stalled`) to drive the API's failover.
 */
export class FakeFollowStreams {
  readonly streams = new Set<OpenStream>();
  /** Replicas whose streams stay silent (a paused process): no messages, no heartbeats. */
  readonly stalled = new Set<string>();
  /** Every Follow opened, in order. */
  readonly opened: Array<{ replica: string; offset: number }> = [];
  /** Retention's log start: a Follow from below it ends OFFSET_TRIMMED, as a replica's does. */
  logStart = 0;

  constructor(private readonly gateway: FakeReplicaGateway) {}

  openOn(replicaId: string): number {
    return [...this.streams].filter((stream) => stream.replica.id === replicaId).length;
  }

  /** Ends every stream of `replicaId` as a killed replica's would (UNAVAILABLE). */
  fail(replicaId: string): void {
    for (const stream of [...this.streams]) {
      if (stream.replica.id !== replicaId) continue;
      this.close(stream);
      stream.handlers.end(callError(stream.replica, GrpcStatus.UNAVAILABLE, null));
    }
  }

  start(replica: ReplicaRef, offset: number, handlers: FollowHandlers): FollowHandle {
    this.opened.push({ replica: replica.id, offset });
    if (this.gateway.unreachable.has(replica.id)) {
      setImmediate(() => handlers.end(unreachableError(replica)));
      return { cancel: () => undefined };
    }
    if (offset < this.logStart) {
      setImmediate(() =>
        handlers.end(callError(replica, GrpcStatus.OUT_OF_RANGE, ErrorReason.OffsetTrimmed)),
      );
      return { cancel: () => undefined };
    }
    const stream: OpenStream = {
      replica,
      next: offset,
      handlers,
      lastSent: 0,
      timer: setInterval(() => this.push(stream), 3),
    };
    this.streams.add(stream);
    return { cancel: () => this.close(stream) };
  }

  private push(stream: OpenStream): void {
    if (this.stalled.has(stream.replica.id)) return;
    if (this.gateway.unreachable.has(stream.replica.id)) {
      this.close(stream);
      stream.handlers.end(unreachableError(stream.replica));
      return;
    }
    const highWatermark = this.gateway.highWatermarkOf(stream.replica);
    const messages = this.gateway.log.slice(stream.next, Math.max(stream.next, highWatermark));
    if (messages.length === 0 && Date.now() - stream.lastSent < 200) return;
    stream.handlers.response({
      first_offset: stream.next,
      messages,
      high_watermark: highWatermark,
    });
    stream.next += messages.length;
    stream.lastSent = Date.now();
  }

  private close(stream: OpenStream): void {
    clearInterval(stream.timer);
    this.streams.delete(stream);
  }
}
