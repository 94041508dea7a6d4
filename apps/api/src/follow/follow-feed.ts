import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { ErrorReason, type FollowResponse } from '@distilled/proto';
import {
  FEED_BACKOFF_MAX_MS,
  FEED_BACKOFF_MIN_MS,
  FEED_IDLE_STOP_MS,
  FEED_LAG_LIMIT_MS,
  FEED_RING_BYTES,
  FEED_RING_MESSAGES,
  FEED_SILENCE_MS,
} from '../constants';
import {
  REPLICA_GATEWAY,
  type FollowHandle,
  type ReplicaCallError,
  type ReplicaGateway,
  type ReplicaRef,
} from '../replicas/replica-gateway';
import { shuffled } from '../replicas/shuffled';
import { MessageRing } from './message-ring';
import { RangeReader } from './range-reader';
import { messageEvent } from './sse-event';

/**
 * The one feed of the log's tail per API process (DESIGN.md B.6): a single Follow stream, its
 * messages encoded once as SSE events into a bounded ring that every stream at the tail reads
 * from. However many clients follow, the replicas serve one stream to this API.
 *
 * The stream is the leader's whenever the cluster names one the feed may use: the leader knows
 * of a commit first, while a follower learns of it from the leader's next fetch response (a
 * round trip later, more when its loop is busy syncing), which was most of a live event's
 * delay. It costs the leader one more Follow stream per API, against the fetch sessions it
 * already serves. Every other read (Range, a stream's catch-up) still goes to any replica.
 * When the leader changes, the watchdog moves the feed to the new one from the ring's end;
 * while the leader cannot be used (just failed, or none known), any replica serves.
 *
 * The ring only ever grows at its end by the offset that comes next, so it stays one gapless run
 * of committed messages. When the replica's stream fails, goes silent (no heartbeat for
 * FEED_SILENCE_MS) or falls behind (it has not reached, FEED_LAG_LIMIT_MS later, the committed
 * end the leader reported), the feed opens a stream on another replica from the ring's end;
 * when retention has deleted that end meanwhile, it starts again at the committed end.
 * Started by the first stream that joins, at the committed end; stopped, ring emptied, when no
 * stream has used it for FEED_IDLE_STOP_MS.
 *
 * The streams hear of new events once the responses handled together are all in the ring
 * (process.nextTick), not once per response: a fan-out is one write system call per socket,
 * most of the API's CPU at the tail. Not later than that: waiting for the end of the loop's
 * turn (setImmediate) put the fan-out behind every other callback of the turn (the POSTs).
 */
@Injectable()
export class FollowFeed implements OnApplicationShutdown {
  readonly ring = new MessageRing(FEED_RING_MESSAGES, FEED_RING_BYTES);
  /** Times the feed moved to another replica (or back to one after a failure). */
  reconnects = 0;
  private readonly logger = new Logger('FollowFeed');
  private readonly listeners = new Set<() => void>();
  private running = false;
  /** False until the ring's end is set from the committed end (again after a stop). */
  private anchoredFlag = false;
  private stream: FollowHandle | null = null;
  private streamReplica: ReplicaRef | null = null;
  private lastHeard = 0;
  private backoffMs = FEED_BACKOFF_MIN_MS;
  private readonly avoid = new Map<string, number>();
  private watchdog: NodeJS.Timeout | null = null;
  private reconnectTimer: NodeJS.Timeout | null = null;
  private idleTimer: NodeJS.Timeout | null = null;
  private probe: { end: number; at: number } | null = null;
  private probing = false;
  private generation = 0;
  private notifyPending = false;

  constructor(
    @Inject(REPLICA_GATEWAY) private readonly gateway: ReplicaGateway,
    private readonly ranges: RangeReader,
  ) {}

  /** True once the ring holds the tail (its end is a real position in the log). */
  get anchored(): boolean {
    return this.anchoredFlag;
  }

  /** The replica the feed follows now, if any. */
  get replica(): string | null {
    return this.streamReplica?.id ?? null;
  }

  /**
   * Adds `listener`, called (synchronously, keep it cheap) whenever the ring's end moves or the
   * ring is reset; starts the feed if it is not running. Returns the leave function.
   */
  join(listener: () => void): () => void {
    this.listeners.add(listener);
    if (this.idleTimer) {
      clearTimeout(this.idleTimer);
      this.idleTimer = null;
    }
    if (!this.running) this.start();
    return () => {
      if (!this.listeners.delete(listener) || this.listeners.size > 0 || !this.running) return;
      this.idleTimer = setTimeout(() => this.stop(), FEED_IDLE_STOP_MS);
      this.idleTimer.unref();
    };
  }

  onApplicationShutdown(): void {
    this.stop();
    this.listeners.clear();
  }

  private start(): void {
    this.running = true;
    this.generation += 1;
    this.watchdog = setInterval(() => this.check(), 500);
    this.watchdog.unref();
    void this.connect();
  }

  private stop(): void {
    this.running = false;
    this.generation += 1;
    this.closeStream();
    for (const timer of [this.watchdog, this.reconnectTimer, this.idleTimer]) {
      if (timer) clearTimeout(timer);
    }
    this.watchdog = this.reconnectTimer = this.idleTimer = null;
    this.anchoredFlag = false;
    this.probe = null;
    this.ring.reset(this.ring.end);
  }

  private async connect(): Promise<void> {
    const generation = this.generation;
    if (!this.running) return;
    if (!this.anchoredFlag) {
      try {
        const end = await this.ranges.committedEnd();
        if (generation !== this.generation) return;
        this.ring.reset(end);
        this.anchoredFlag = true;
        this.notifySoon();
      } catch {
        this.retryLater();
        return;
      }
    }
    const replica = this.pickReplica();
    if (replica === null) {
      this.retryLater();
      return;
    }
    this.streamReplica = replica;
    this.lastHeard = Date.now();
    this.stream = this.gateway.follow(replica, this.ring.end, {
      response: (response) => {
        if (generation === this.generation) this.onResponse(replica, response);
      },
      end: (error) => {
        if (generation === this.generation) this.onEnd(replica, error);
      },
    });
  }

  private onResponse(replica: ReplicaRef, response: FollowResponse): void {
    this.lastHeard = Date.now();
    this.backoffMs = FEED_BACKOFF_MIN_MS;
    const messages = response.messages ?? [];
    if (response.first_offset !== this.ring.end) {
      // Cannot happen with a correct replica (it continues from where we asked); never let it
      // put a gap or a repeat in the ring.
      this.logger.warn(
        `${replica.id} sent offset ${response.first_offset} where ${this.ring.end} was due; following another replica`,
      );
      this.moveOn(replica, 5000);
      return;
    }
    if (messages.length === 0) return;
    let offset = response.first_offset;
    for (const message of messages) {
      this.ring.push(Buffer.from(messageEvent(offset, message)));
      offset += 1;
    }
    this.notifySoon();
  }

  private onEnd(replica: ReplicaRef, error: ReplicaCallError | null): void {
    this.stream = null;
    this.streamReplica = null;
    if (error?.reason === ErrorReason.OffsetTrimmed) {
      // Retention deleted the ring's end while the feed was held back (a paused replica): no
      // replica can continue from there. Anchor again at the committed end; the streams that
      // waited at the old end are now behind the ring, read by range, and get the 410 that
      // sends their clients on from the log's start.
      this.logger.warn(
        `the log start passed offset ${this.ring.end}, where the feed was to continue (${replica.id}: ${error.message}); starting again at the committed end`,
      );
      this.anchoredFlag = false;
    } else if (error) {
      this.avoid.set(replica.id, Date.now() + 1000);
    }
    this.retryLater();
  }

  /** Drops the current stream and opens one elsewhere, avoiding `replica` for `avoidMs`. */
  private moveOn(replica: ReplicaRef, avoidMs: number): void {
    this.avoid.set(replica.id, Date.now() + avoidMs);
    this.closeStream();
    this.retryLater();
  }

  private retryLater(): void {
    if (!this.running || this.reconnectTimer) return;
    this.reconnects += 1;
    const wait = this.backoffMs;
    this.backoffMs = Math.min(this.backoffMs * 2, FEED_BACKOFF_MAX_MS);
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = null;
      void this.connect();
    }, wait);
  }

  private closeStream(): void {
    this.stream?.cancel();
    this.stream = null;
    this.streamReplica = null;
  }

  /** The leader unless it is avoided, else a random replica not avoided, else any. */
  private pickReplica(): ReplicaRef | null {
    const leader = this.usableLeader();
    if (leader) return leader;
    const now = Date.now();
    const all = shuffled(this.gateway.replicas());
    return all.find((replica) => (this.avoid.get(replica.id) ?? 0) <= now) ?? all[0] ?? null;
  }

  private usableLeader(): ReplicaRef | null {
    const leader = this.gateway.leader();
    return leader && (this.avoid.get(leader.id) ?? 0) <= Date.now() ? leader : null;
  }

  /**
   * The watchdog: a silent stream is dead; a stream behind the leader's old end is stuck; a
   * stream on a replica that is not (or no longer) the leader moves to the leader.
   */
  private check(): void {
    const replica = this.streamReplica;
    if (!this.running || !this.stream || !replica) return;
    const now = Date.now();
    if (now - this.lastHeard > FEED_SILENCE_MS) {
      this.logger.warn(
        `${replica.id} sent nothing for ${now - this.lastHeard} ms; following another replica`,
      );
      this.moveOn(replica, 5000);
      return;
    }
    const leader = this.usableLeader();
    if (leader && leader.id !== replica.id) {
      this.logger.log(`following the leader ${leader.id} instead of ${replica.id}`);
      this.closeStream();
      this.retryLater();
      return;
    }
    if (this.probe && now - this.probe.at >= FEED_LAG_LIMIT_MS) {
      if (this.ring.end < this.probe.end) {
        this.logger.warn(
          `${replica.id} is at offset ${this.ring.end}, behind the committed end ${this.probe.end} the leader reported ${now - this.probe.at} ms ago; following another replica`,
        );
        this.probe = null;
        this.moveOn(replica, 5000);
        return;
      }
      this.probe = null;
    }
    if (!this.probe && !this.probing) {
      this.probing = true;
      const at = Date.now();
      this.ranges
        .committedEnd()
        .then((end) => {
          this.probe = { end, at };
        })
        .catch(() => undefined)
        .finally(() => {
          this.probing = false;
        });
    }
  }

  /** Wakes the streams once, after the responses being handled now are all in the ring. */
  private notifySoon(): void {
    if (this.notifyPending) return;
    this.notifyPending = true;
    process.nextTick(() => {
      this.notifyPending = false;
      for (const listener of this.listeners) listener();
    });
  }
}
