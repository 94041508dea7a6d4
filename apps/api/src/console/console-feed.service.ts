import {
  Inject,
  Injectable,
  Logger,
  type OnModuleDestroy,
  type OnModuleInit,
} from '@nestjs/common';
import { describeError } from '@distilled/common';
import { ClusterService } from '../cluster/cluster.service';
import { FollowFeed } from '../follow/follow-feed';
import { RangeReader } from '../follow/range-reader';
import { MetricsService } from '../metrics/metrics.service';
import { unavailable } from '../problems';
import { REPLICA_GATEWAY, type ReplicaGateway } from '../replicas/replica-gateway';
import { ConditionClock } from './condition-clock';
import {
  FEED_TICK_MS,
  MAX_CONSOLE_CLIENTS,
  TAIL_READ_MAX_BYTES,
  TAIL_WAIT_MS,
} from './console.constants';
import type {
  ConsoleState,
  SnapshotFrame,
  TrafficSample,
  UpdateFrame,
} from '@distilled/console-frames';
import { ConsoleStream, sseEvent, type EncodedFrames, type FrameSink } from './console-stream';
import { LeaderHistory } from './leader-history';
import { MessageTail } from './message-tail';
import { describeProblems, findConditions } from './problem-sentences';
import { ReplicaRoster } from './replica-roster';
import { TrafficSampler } from './traffic-sampler';

/**
 * The one feed behind every open console (GET /ui/events): a single timer in the API, however
 * many tabs watch. Each tick samples the API's own metrics and notes a change of leader (both
 * in memory, so they run even with nobody watching: the chart and the history have a past when
 * a tab opens). Only while someone watches does it also ask every replica for its Status (the
 * same join as GET /Cluster), keep GET /Data/Stream's shared feed running for the tail of
 * newest messages (message-tail.ts), and push one frame, encoded once, to every stream.
 */
@Injectable()
export class ConsoleFeed implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('ConsoleFeed');
  private readonly streams = new Set<ConsoleStream>();
  private readonly traffic: TrafficSampler;
  private readonly leaders = new LeaderHistory();
  private readonly conditionAges = new ConditionClock();
  private readonly roster = new ReplicaRoster();
  private readonly tail: MessageTail;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private state: ConsoleState | null = null;
  private lastSample: TrafficSample | null = null;
  /** Roles from the latest Status poll; null while nobody watches (then they are not asked). */
  private roles: Map<string, string> | null = null;
  /** The feed's time; specs replace it. */
  clock: () => number = Date.now;

  constructor(
    @Inject(REPLICA_GATEWAY) private readonly gateway: ReplicaGateway,
    private readonly cluster: ClusterService,
    follow: FollowFeed,
    ranges: RangeReader,
    metrics: MetricsService,
  ) {
    this.traffic = new TrafficSampler(metrics.registry);
    this.tail = new MessageTail(
      follow,
      async (offset, limit) =>
        (await ranges.read({ offset, limit, maxBytes: TAIL_READ_MAX_BYTES, waitMs: 0 })).messages,
    );
  }

  onModuleInit(): void {
    this.timer = setInterval(() => void this.tick(), FEED_TICK_MS);
    this.timer.unref();
  }

  /** Before the HTTP server closes: open streams would otherwise hold it open. */
  onModuleDestroy(): void {
    clearInterval(this.timer);
    for (const stream of this.streams) stream.close();
    this.streams.clear();
    this.tail.unwatch();
  }

  /** Throws a 503 problem when no more streams may open (call before sending headers). */
  admit(): void {
    if (this.streams.size >= MAX_CONSOLE_CLIENTS) {
      throw unavailable(
        `${MAX_CONSOLE_CLIENTS} console streams are open already; close a console tab or try again later.`,
      );
    }
  }

  /** Starts pushing frames to `sink`; the returned function stops it (call on disconnect). */
  subscribe(sink: FrameSink): () => void {
    this.admit();
    const stream = new ConsoleStream(sink);
    this.streams.add(stream);
    this.tail.watch();
    if (this.state) stream.push(this.encode());
    else void this.tick();
    return () => {
      this.streams.delete(stream);
      stream.close();
      if (this.streams.size === 0) this.stopWatching();
    };
  }

  get clientCount(): number {
    return this.streams.size;
  }

  /**
   * One tick (the timer calls it; specs call it directly). A tick asked for while one runs is
   * that one: ticks never overlap, a slow Status poll only delays the next frame.
   */
  tick(): Promise<void> {
    this.running ??= this.runTick(this.clock()).finally(() => (this.running = undefined));
    return this.running;
  }

  private async runTick(now: number): Promise<void> {
    try {
      this.lastSample = await this.traffic.sample(now);
      const watched = this.streams.size > 0;
      const view = watched ? await this.cluster.view() : null;
      if (view) this.roles = new Map(view.nodes.map((node) => [node.id, node.role]));
      const clusterState = this.gateway.clusterState();
      if (clusterState) {
        this.leaders.observe(
          now,
          { leader: clusterState.leader, epoch: clusterState.epoch },
          { members: new Set(this.gateway.replicas().map((r) => r.id)), roles: this.roles },
        );
      }
      if (!view || this.streams.size === 0) return;
      const replicas = this.roster.merge(view.nodes, now);
      const committedEnd = Math.max(0, ...replicas.map((r) => r.highWatermark ?? 0));
      const conditions = findConditions({ leader: view.leader, committedEnd, replicas });
      const ages = this.conditionAges.observe(
        conditions.map((c) => c.key),
        now,
      );
      const logStart = Math.max(0, ...replicas.map((r) => r.logStartOffset ?? 0));
      await settledWithin(this.tail.refresh(logStart), TAIL_WAIT_MS);
      this.state = {
        at: now,
        leader: view.leader,
        epoch: view.epoch,
        committedEnd,
        replicas,
        problems: describeProblems(conditions, ages, now),
        leaderChanges: this.leaders.list(),
        latency: this.traffic.latency(),
        tail: this.tail.list(),
        tailError: this.tail.error(),
      };
      this.broadcast();
    } catch (error) {
      this.logger.warn(`console feed tick failed: ${describeError(error)}`);
    }
  }

  private broadcast(): void {
    const frames = this.encode();
    for (const stream of this.streams) {
      if (stream.push(frames) === 'closed') this.streams.delete(stream);
    }
  }

  /** The current frames, each serialized on first use only. */
  private encode(): EncodedFrames {
    const state = this.state!;
    const sample = this.lastSample;
    let snapshot: string | undefined;
    let update: string | undefined;
    return {
      snapshot: () =>
        (snapshot ??= sseEvent('snapshot', {
          state,
          traffic: this.traffic.history(),
        } satisfies SnapshotFrame)),
      update: () =>
        (update ??= sseEvent('update', { state, traffic: sample } satisfies UpdateFrame)),
    };
  }

  /** Nobody watches: what the next watcher sees must be fresh, and conditions dated anew. */
  private stopWatching(): void {
    this.tail.unwatch();
    this.state = null;
    this.roles = null;
    this.conditionAges.pause();
  }
}

/** Waits for `work` at most `ms`; the work goes on regardless (its result shows next tick). */
async function settledWithin(work: Promise<void>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)));
  try {
    await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
