import type { LoggerService } from '@nestjs/common';
import type { Leadership } from '@distilled/cluster';
import type { AppendOptions, AppendResult, LogStore, ProducerBatchId } from '@distilled/log-store';
import {
  DEFAULT_IDEMPOTENCY_MAX_KEYS,
  DEFAULT_IDEMPOTENCY_WINDOW_MS,
  ISR_CHECK_INTERVAL_MS,
  KEY_SCAN_DELAY_MS,
} from '../constants';
import { AppendCoalescer } from './append-coalescer';
import { ReplicaError } from '../errors/replica-error';
import { CommitWaiters } from './commit-waiters';
import { FetchSession, type FetchCall, type FetchSessionHost } from './fetch-session';
import { FollowerTracker } from './follower-tracker';
import { computeHighWatermark, type HighWatermark } from './high-watermark';
import { IsrManager } from './isr-manager';
import { IsrUpkeep } from './isr-upkeep';
import {
  KeyedAppends,
  type KeyedPartRequest,
  type SettlePart,
  type WriteBatch,
} from './keyed-appends';
import { describeError } from '@distilled/common';

export interface LeaderTermOptions {
  selfId: string;
  log: LogStore;
  leadership: Leadership;
  /** The replica's HW: carried over from its follower days, moved on by this term. */
  highWatermark: HighWatermark;
  minInsync: number;
  replicaLagMs: number;
  commitTimeoutMs: number;
  /** Whether `id` is registered in the membership right now (its lease is alive). */
  isRegistered: (id: string) => boolean;
  /** The member's disk refuses its log writes (its membership mark): it is not in sync. */
  isDiskFull?: (id: string) => boolean;
  /** A fenced write failed: this replica must stop acting as leader at once. */
  onFenced: (why: string) => void;
  /** The ISR changed in etcd (for Status). */
  onIsrChange: (isr: readonly string[]) => void;
  /** A log read of this term failed (e.g. a damaged batch on its way to a follower). */
  onLogFailure?: (error: unknown, foundBy: string) => void;
  logger: LoggerService;
  now?: () => number;
  /** Idempotency-Keys remembered: how long and how many (defaults: 24 h, 1 M). */
  idempotencyWindowMs?: number;
  idempotencyMaxKeys?: number;
}

/**
 * One leadership term: everything the leader does in one epoch (apps/server README, "How
 * replication flows"). Created on 'elected', ended on 'deposed' or shutdown; nothing of it survives
 * into another epoch, so a follower's progress only counts from fetches in this epoch.
 *
 * Single-threaded like the rest of Node: state changes happen between awaits, and the only
 * concurrent writer to the log is this term's append() (the follower side is stopped first).
 */
export class LeaderTerm implements FetchSessionHost {
  readonly epoch: number;
  readonly log: LogStore;
  /** The leader's log end when the term began: a follower must reach it to join the ISR. */
  readonly epochStartOffset: number;
  private readonly isrManager: IsrManager;
  private readonly tracker: FollowerTracker;
  /** Who leaves and joins the ISR; isrManager writes it. */
  private readonly isrUpkeep: IsrUpkeep;
  private readonly waiters = new CommitWaiters();
  private readonly sessions = new Map<string, FetchSession>();
  private readonly inFlight = new Set<Promise<unknown>>();
  /** Appends without a producer id share a record batch per turn of the event loop. */
  private readonly coalescer = new AppendCoalescer((messages) => this.appendBatch(messages));
  /** Appends with an Idempotency-Key: one record batch each, decided against the key table. */
  private readonly keyed: KeyedAppends;
  private readonly writeKeyed: WriteBatch = (batch, opts, onWritten) =>
    this.appendBatch(batch, undefined, opts, onWritten);
  private readonly now: () => number;
  /** The end of the leader's own appended-and-resolved log: its part in the HW. */
  private durableLeo: number;
  private timer?: NodeJS.Timeout;
  private scanTimer?: NodeJS.Timeout;
  private endedWith?: ReplicaError;
  private unsubscribeWritten?: () => void;
  /** drain() callers, woken each time a batch of this term settles. */
  private readonly settleListeners = new Set<() => void>();

  constructor(private readonly options: LeaderTermOptions) {
    this.now = options.now ?? Date.now;
    this.epoch = options.leadership.epoch;
    this.log = options.log;
    this.durableLeo = options.log.logEndOffset;
    this.epochStartOffset = this.durableLeo;
    this.tracker = new FollowerTracker(this.now());
    this.isrManager = new IsrManager(options.leadership, (why) => this.fenced(why));
    this.isrUpkeep = new IsrUpkeep({
      selfId: options.selfId,
      replicaLagMs: options.replicaLagMs,
      isRegistered: options.isRegistered,
      isDiskFull: options.isDiskFull,
      onIsrChange: options.onIsrChange,
      logger: options.logger,
      now: this.now,
      term: this,
      isrManager: this.isrManager,
      tracker: this.tracker,
      sessions: this.sessions,
      recompute: () => this.recompute(),
    });
    this.keyed = new KeyedAppends({
      log: this.log,
      maxKeys: options.idempotencyMaxKeys ?? DEFAULT_IDEMPOTENCY_MAX_KEYS,
      windowMs: options.idempotencyWindowMs ?? DEFAULT_IDEMPOTENCY_WINDOW_MS,
      highWatermark: () => this.highWatermark(),
      now: this.now,
    });
    // A group written to the log (its fsync still running) wakes the fetch sessions at once.
    this.unsubscribeWritten = options.log.onWritten(() => this.wakeSessions());
  }

  get isr(): readonly string[] {
    return this.isrManager.isr;
  }

  get ended(): boolean {
    return this.endedWith !== undefined;
  }

  highWatermark(): number {
    return this.options.highWatermark.value;
  }

  /**
   * Starts the term: records the epoch in the log's epoch file (off the first append's path),
   * drops ISR members whose lease is gone (a dead old leader), so failover does not wait out
   * the lag limit, then watches lag on a timer.
   */
  async start(): Promise<void> {
    this.recordEpoch();
    // The ISR write goes out before the key scan's first read: a dead member's leaving, which
    // the term's first commit waits for, does not queue behind the scan.
    const checking = this.isrUpkeep.check();
    // The scan costs a new leader 150-450 ms of CPU on a large log: run after the failover's
    // first commits, not against them. A keyed append arriving sooner starts it at once (and
    // waits for it); plain appends never depend on it.
    this.scanTimer = setTimeout(() => this.scanKeys(), KEY_SCAN_DELAY_MS);
    this.scanTimer.unref();
    await checking;
    this.recompute();
    this.timer = setInterval(() => void this.isrUpkeep.check(), ISR_CHECK_INTERVAL_MS);
    this.timer.unref();
  }

  /**
   * Appends one batch and resolves once it is committed: HW past it and the ISR at least
   * MIN_INSYNC. Refuses (nothing appended) when the ISR is too small. Without a producer,
   * key or expected offset the messages may share a record batch with other calls of the same
   * turn (AppendCoalescer); a call's messages always stay together in one record batch.
   */
  append(
    messages: Buffer[],
    producer?: ProducerBatchId,
    options: AppendOptions = {},
  ): Promise<AppendResult> {
    const { idempotency, expectedOffset } = options;
    if (idempotency) {
      // Without a producer, keyed appends of one turn may share a batch (one `write` for all).
      const write: WriteBatch = producer
        ? (batch, opts, onWritten) => this.appendBatch(batch, producer, opts, onWritten)
        : this.writeKeyed;
      return this.keyed.append(messages, idempotency, expectedOffset, write);
    }
    if (producer || expectedOffset !== undefined) {
      return this.appendBatch(messages, producer, options);
    }
    return this.coalescer.append(messages);
  }

  /**
   * The keyed requests of one Append with parts (no producer, no expected offset), each
   * answered through `settle`: decided together against the key table, the new ones appended
   * as shared record batches (KeyedAppends.appendParts).
   */
  appendParts(parts: readonly KeyedPartRequest[], settle: SettlePart): void {
    this.keyed.appendParts(parts, this.writeKeyed, settle);
  }

  /**
   * Writes the epoch-file entry now, as Kafka's makeLeader does, instead of in the term's first
   * append (a temp file, fsync, rename and directory fsync before that batch's own fsync). Not
   * awaited: the log runs it before any append queued after it. Should it fail, the first
   * append records the epoch itself (and meets the same disk).
   */
  private recordEpoch(): void {
    this.log.beginEpoch(this.epoch).catch((error: unknown) => {
      this.options.logger.warn(
        `could not record epoch ${this.epoch} in the epoch file at the start of the term (the first append will): ${describeError(error)}`,
      );
    });
  }

  /**
   * Fills the key table from the log; keyed appends wait for it, others never do. Safe for
   * plain appends: they carry no key, so nothing about them is decided by the table; a keyed
   * append is decided only once the table holds every key up to the term's start.
   */
  private scanKeys(): void {
    if (this.endedWith) return;
    // The scan may already be running (a keyed append started it): its own clock says how long.
    this.keyed.start().then(
      (scan) => {
        if (scan.keys === 0 && scan.batches < 1000) return;
        this.options.logger.log(
          `idempotency keys: ${scan.keys} found in ${scan.batches} batches (offsets ${scan.fromOffset}..${scan.toOffset}, ${scan.bytes} bytes) in ${scan.ms} ms`,
        );
      },
      (error: unknown) => {
        this.options.onLogFailure?.(error, 'the leader reading idempotency keys');
        this.options.logger.warn(
          `could not read idempotency keys from the log: ${describeError(error)}`,
        );
      },
    );
  }

  /** One record batch: written, synced, and committed; drain() hears when it settles. */
  private async appendBatch(
    messages: Buffer[],
    producer?: ProducerBatchId,
    options?: AppendOptions,
    onWritten?: (result: AppendResult) => void,
  ): Promise<AppendResult> {
    try {
      return await this.appendAndCommit(messages, producer, options, onWritten);
    } finally {
      if (this.settleListeners.size > 0) {
        for (const listener of [...this.settleListeners]) listener();
      }
    }
  }

  private async appendAndCommit(
    messages: Buffer[],
    producer?: ProducerBatchId,
    options?: AppendOptions,
    onWritten?: (result: AppendResult) => void,
  ): Promise<AppendResult> {
    const started = this.now();
    if (this.endedWith) throw this.endedWith;
    if (this.isr.length < this.options.minInsync) {
      throw ReplicaError.notEnoughReplicas(this.isr, this.options.minInsync);
    }
    this.tracker.onLeaderAppend(this.log.writtenEndOffset, started);
    const appending = this.log.append(messages, this.epoch, producer, options);
    this.inFlight.add(appending);
    let result: AppendResult;
    try {
      result = await appending;
    } finally {
      this.inFlight.delete(appending);
    }
    onWritten?.(result);
    if (this.endedWith) throw this.endedWith;
    const end = result.baseOffset + result.count;
    if (end > this.durableLeo) this.durableLeo = end;
    // Synced here: the leader's part of the HW moves. Followers were woken when it was written;
    // waking again is a no-op for sessions that already have it.
    this.wakeSessions();
    this.recompute();
    if (!this.isCommitted(end)) {
      const timeoutMs = Math.max(1, this.options.commitTimeoutMs - (this.now() - started));
      await this.waiters.wait(end, timeoutMs, () =>
        ReplicaError.commitTimeout(result.baseOffset, result.count, this.options.commitTimeoutMs),
      );
    }
    return result;
  }

  /**
   * A follower's fetch stream, at its first request of this epoch, with the incarnation of its
   * data directory. A second stream from the same follower replaces the first (it reconnected
   * before the old one noticed). An ISR member that comes back with another incarnation was
   * wiped or replaced: it leaves the ISR at once, and rejoins once it has caught up.
   */
  attach(followerId: string, call: FetchCall, incarnation = ''): FetchSession {
    this.sessions.get(followerId)?.close();
    const session = new FetchSession(followerId, call, this, incarnation);
    this.sessions.set(followerId, session);
    if (this.isrUpkeep.changedIncarnation(session)) void this.isrUpkeep.check();
    return session;
  }

  /** A fetch request: `leo` is where the follower's log ends, i.e. what it acknowledges. */
  onFetch(session: FetchSession, leo: number): void {
    if (this.endedWith || session.isClosed) return;
    // Followers may hold batches the leader has written but not yet synced.
    const leaderLeo = this.log.writtenEndOffset;
    if (leo > leaderLeo) {
      session.close(
        ReplicaError.invalidArgument(
          `log end offset ${leo} is past the leader's ${leaderLeo}; truncate and reconnect`,
        ),
      );
      return;
    }
    this.tracker.onFetch(session.followerId, leo, leaderLeo, this.now());
    void this.isrUpkeep.maybeExpand(session, leo);
    this.recompute();
    session.onRequest(leo);
  }

  onResponse(followerId: string, leaderLeo: number): void {
    this.tracker.onResponse(followerId, leaderLeo, this.now());
  }

  onSessionEnd(session: FetchSession): void {
    if (this.sessions.get(session.followerId) === session) this.sessions.delete(session.followerId);
  }

  onSessionError(session: FetchSession, error: unknown): void {
    this.options.onLogFailure?.(error, `the leader reading batches for ${session.followerId}`);
    const message = describeError(error);
    this.options.logger.warn(
      `fetch stream of ${session.followerId} failed in epoch ${this.epoch}: ${message}`,
    );
  }

  /** Membership changed: a member whose lease is gone leaves the ISR now, not after the lag limit. */
  membersChanged(): void {
    void this.isrUpkeep.check();
  }

  /**
   * Ends the term: waiting appends fail with `error` (they may or may not survive), fetch
   * streams end, and in-flight log appends are awaited so the follower side may truncate.
   */
  async end(error: ReplicaError): Promise<void> {
    if (!this.endedWith) {
      this.endedWith = error;
      if (this.timer) clearInterval(this.timer);
      clearTimeout(this.scanTimer);
      this.unsubscribeWritten?.();
      this.waiters.failAll(error);
      for (const session of [...this.sessions.values()]) {
        session.close(ReplicaError.fencedEpoch(this.epoch, this.epoch));
      }
      this.sessions.clear();
    }
    await Promise.allSettled([...this.inFlight]);
  }

  /**
   * Resolves when no append of this term waits for its commit (or after `timeoutMs`). Checked
   * each time a batch settles, not on a timer: a graceful stop hands over as soon as the last
   * waiting append is answered.
   */
  async drain(timeoutMs: number): Promise<void> {
    const busy = () =>
      this.waiters.size > 0 || this.inFlight.size > 0 || this.coalescer.pending > 0;
    if (!busy()) return;
    await new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.settleListeners.delete(onSettled);
        resolve();
      };
      const onSettled = () => {
        if (!busy()) done();
      };
      const timer = setTimeout(done, timeoutMs);
      this.settleListeners.add(onSettled);
    });
  }

  private isCommitted(end: number): boolean {
    return this.highWatermark() >= end && this.isr.length >= this.options.minInsync;
  }

  /** Moves the HW on if the ISR allows and settles the appends it commits. */
  private recompute(): void {
    if (this.endedWith) return;
    const candidate = computeHighWatermark(this.options.selfId, this.durableLeo, this.isr, (id) =>
      this.tracker.leo(id),
    );
    if (candidate !== undefined && this.options.highWatermark.advanceTo(candidate)) {
      this.wakeSessions();
    }
    if (this.isr.length >= this.options.minInsync) this.waiters.release(this.highWatermark());
  }

  /** Retention moved the log start: followers waiting for news learn it now, not with the next write. */
  logStartMoved(): void {
    this.wakeSessions();
  }

  private wakeSessions(): void {
    for (const session of this.sessions.values()) session.wake();
  }

  private fenced(why: string): void {
    if (this.endedWith) return;
    this.options.logger.error(`lost leadership of epoch ${this.epoch}: ${why}`);
    this.options.onFenced(why);
  }
}
