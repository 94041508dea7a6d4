import { Inject, Injectable, type OnModuleDestroy, Optional } from '@nestjs/common';
import { describeError, RetryBackoff } from '@distilled/common';
import {
  type Campaign,
  type Election as EtcdElection,
  type Etcd3,
  Lease,
  type Watcher,
} from 'etcd3';
import { type Observable, Subject, type Subscription } from 'rxjs';
import {
  CLUSTER_OPTIONS,
  CLUSTER_STATE_STORE,
  type ClusterOptions,
  type ClusterState,
  type ClusterStateStore,
  type Election,
  type ElectionEvent,
  type Leadership,
  type ReplicaIncarnation,
  type VersionedClusterState,
} from './cluster.interface';
import { encodeClusterState } from './cluster-state';
import { ETCD_CLIENT } from './etcd.provider';
import { isrStanding, type IsrStanding } from './isr-standing';
import { ClusterKeys } from './keys';
import { CLUSTER_LOGGER, type ClusterLogger, clusterLogger } from './logger';
import { DEFAULT_LEASE_TTL_SECONDS } from './membership';

const RETRY_MIN_MS = 100;
const RETRY_MAX_MS = 2_000;
/** Attempts to bump the epoch when the state keeps changing between our read and our write. */
const BUMP_ATTEMPTS = 5;
/**
 * Step down this long before the election lease could expire in etcd (counted from the last
 * keepalive etcd confirmed), so we stop acting as leader before anyone else can be elected.
 */
const LEASE_SAFETY_MARGIN_MS = 300;
const WATCHDOG_INTERVAL_MS = 100;

/** One candidacy: an etcd3 Campaign (its own lease and key) plus what we learn about it. */
interface Candidacy {
  readonly campaign: Campaign;
  /** Full etcd key of this candidate and its create revision, known once elected. */
  key?: string;
  createRevision?: string;
  /** When etcd last confirmed the campaign lease (keepalive response or grant). */
  lastKeepAliveAt: number;
  /** Whether we could hook the lease's keepalives (etcd3 internals); else no watchdog. */
  leaseObserved: boolean;
}

/**
 * Leader election among the ISR, fenced by the epoch in `/<cluster>/state` (libs/cluster README,
 * "Guarantees").
 *
 * etcd3's Election picks one candidate (the oldest live key under the election prefix). Winning
 * is not leading: the winner re-reads the state and, only if it is in the ISR, writes
 * {epoch + 1, leader: self, isr} in one transaction that compares
 *   (a) its own election key's create revision (the key exists only while its lease lives and
 *       it has not resigned; since later candidates have later create revisions, it is still
 *       the winner), and
 *   (b) the state key's mod revision against the one it read (or "absent" for the first state).
 * Every ISR write of the leadership uses the same two compares with the mod revision it last
 * wrote, so a leader that was replaced, lost its lease or raced another write can never change
 * the state. The etcd lease is only a liveness hint; the epoch is the fence replicas check.
 */
@Injectable()
export class ElectionService implements Election, OnModuleDestroy {
  private readonly keys: ClusterKeys;
  private readonly ttl: number;
  private readonly logger: ClusterLogger;
  private readonly events = new Subject<ElectionEvent>();
  readonly events$: Observable<ElectionEvent> = this.events.asObservable();

  private id?: string;
  private incarnation?: ReplicaIncarnation;
  /** The last reason given for not standing by the ISR rule, so it is said once, not per state. */
  private refusal = '';
  private running = false;
  /** setEligible(false) holds this replica out of the election whatever the ISR says. */
  private eligible = true;
  private ineligibleReason = '';
  private election?: EtcdElection;
  private candidacy?: Candidacy;
  private leadership?: FencedLeadership;
  private stateSubscription?: Subscription;
  private stateLoaded = false;
  private lastLeader?: string;
  private retryTimer?: NodeJS.Timeout;
  private readonly retryBackoff = new RetryBackoff(RETRY_MIN_MS, RETRY_MAX_MS);
  private watchdog?: NodeJS.Timeout;
  private keyWatcher?: Watcher;

  constructor(
    @Inject(ETCD_CLIENT) private readonly client: Etcd3,
    @Inject(CLUSTER_OPTIONS) options: ClusterOptions,
    @Inject(CLUSTER_STATE_STORE) private readonly stateStore: ClusterStateStore,
    @Optional() @Inject(CLUSTER_LOGGER) logger?: ClusterLogger,
  ) {
    this.keys = new ClusterKeys(options.cluster);
    this.ttl = options.leaseTtlSeconds ?? DEFAULT_LEASE_TTL_SECONDS;
    this.logger = clusterLogger('Election', logger);
  }

  async start(id: string, incarnation?: ReplicaIncarnation): Promise<void> {
    if (this.running) {
      if (id !== this.id) throw new Error(`election already started as ${this.id}`);
      return;
    }
    this.id = id;
    this.incarnation = incarnation;
    this.running = true;
    this.election = this.client
      .namespace(this.keys.root)
      .election(this.keys.electionName, this.ttl);
    this.stateSubscription = this.stateStore.state$.subscribe((state) => this.onState(state));
  }

  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    clearTimeout(this.retryTimer);
    this.stateSubscription?.unsubscribe();
    this.stateSubscription = undefined;
    // Say "no leader" in the state first (fenced), so readers of the state do not keep
    // routing to us if no other in-sync replica takes over.
    if (this.leadership) await this.leadership.clearLeader();
    this.depose('stopping: resigning leadership so another in-sync replica can take over');
    await this.withdraw();
  }

  async setEligible(eligible: boolean, reason: string): Promise<void> {
    if (eligible === this.eligible) return;
    this.eligible = eligible;
    this.ineligibleReason = eligible ? '' : reason;
    const who = this.id ?? 'this replica';
    if (eligible) {
      this.logger.log(`${who} stands for leader again: ${reason}`);
      this.evaluate();
      return;
    }
    this.logger.warn(`${who} does not stand for leader: ${reason}`);
    // Like stop(): "no leader" in the state first (fenced), so nobody keeps routing to us.
    if (this.leadership) {
      await this.leadership.clearLeader();
      this.depose(this.standAsideReason());
    }
    await this.withdraw();
  }

  async onModuleDestroy(): Promise<void> {
    await this.stop();
    this.events.complete();
  }

  isLeader(): boolean {
    return this.leadership !== undefined;
  }

  /** The live leadership, for a subscriber that missed the 'elected' event. */
  currentLeadership(): Leadership | undefined {
    return this.leadership;
  }

  /** Called by the state watch: report leader changes, enforce the ISR rule, check our fence. */
  private onState(state: VersionedClusterState | null): void {
    this.stateLoaded = true;
    if (state) this.reportLeader(state.state.leader, state.state.epoch);
    const leadership = this.leadership;
    if (leadership && state && BigInt(state.modRevision) > BigInt(leadership.modRevision)) {
      if (state.state.epoch !== leadership.epoch || state.state.leader !== this.id) {
        // Our own "no leader" write (setEligible) may be seen here before its answer arrives.
        const ours = !this.eligible && state.state.epoch === leadership.epoch;
        this.depose(
          ours
            ? this.standAsideReason()
            : `the cluster state moved on to epoch ${state.state.epoch} led by ${state.state.leader ?? 'nobody'}: stepping down`,
        );
      }
    } else if (leadership && !state) {
      this.depose('the cluster state was deleted from etcd: stepping down');
    }
    this.evaluate();
  }

  private standAsideReason(): string {
    return `not eligible to lead: ${this.ineligibleReason}`;
  }

  /** Campaigns while allowed to lead; withdraws a pending candidacy once no longer allowed. */
  private evaluate(): void {
    if (!this.running || !this.stateLoaded || this.leadership) return;
    if (!this.eligible) {
      if (this.candidacy) void this.withdraw();
      return;
    }
    const state = this.stateStore.current();
    const standing = state ? this.standing(state.state) : undefined;
    const allowed = !standing || standing.inSync;
    if (allowed) this.refusal = '';
    if (allowed && !this.candidacy) this.campaign();
    else if (standing && !standing.inSync) {
      if (standing.listed) this.sayRefused(standing.why);
      else if (this.candidacy) {
        this.logger.log(`${standing.why}: withdrawing from the election until it is`);
      }
      if (this.candidacy) void this.withdraw();
    }
  }

  private standing(state: ClusterState): IsrStanding {
    return isrStanding(state, this.id!, this.incarnation);
  }

  /** Listed in the ISR but not with this data directory: said once per reason. */
  private sayRefused(why: string): void {
    if (why === this.refusal) return;
    this.refusal = why;
    this.logger.warn(
      `${why}: not standing for leader until it has caught up and the leader has taken it back into the ISR`,
    );
  }

  private campaign(): void {
    const campaign = this.election!.campaign(this.id!);
    // etcd3 keeps the campaign's lease private; we need its keepalive times to step down before
    // the lease can expire in etcd (its own 'lost' fires only after twice the TTL).
    const lease = (campaign as unknown as { lease?: unknown }).lease;
    const candidacy: Candidacy = {
      campaign,
      lastKeepAliveAt: Date.now(),
      leaseObserved: lease instanceof Lease,
    };
    this.candidacy = candidacy;
    if (lease instanceof Lease) {
      lease.on('keepaliveSucceeded', () => (candidacy.lastKeepAliveAt = Date.now()));
    }
    campaign.on('error', (err: Error) => this.onCampaignError(candidacy, err));
    campaign.on('elected', () => void this.onElected(candidacy));
  }

  private onCampaignError(candidacy: Candidacy, err: Error): void {
    if (this.candidacy !== candidacy) return;
    if (this.leadership) this.depose(`lost etcd lease: stepping down (${describeError(err)})`);
    else {
      this.logger.warn(`election campaign failed (${describeError(err)}); campaigning again`);
      void this.withdraw();
      this.retryLater();
    }
  }

  private async onElected(candidacy: Candidacy): Promise<void> {
    try {
      const key = await candidacy.campaign.getCampaignKey();
      const own = await this.client.get(key).exec();
      if (this.candidacy !== candidacy) return;
      const kv = own.kvs[0];
      if (!kv) throw new Error('our election key vanished right after winning');
      candidacy.key = key;
      candidacy.createRevision = kv.create_revision;
      for (let attempt = 0; attempt < BUMP_ATTEMPTS; attempt++) {
        const read = await this.stateStore.read();
        if (this.candidacy !== candidacy) return;
        if (!this.eligible) {
          await this.withdraw();
          return;
        }
        const standing = read ? this.standing(read.state) : undefined;
        if (standing && !standing.inSync) {
          this.logger.log(
            `${this.id} won the election but ${standing.listed ? standing.why : 'is not in the ISR'} (ISR: ${read!.state.isr.join(', ')}): resigning so an in-sync replica can lead`,
          );
          await this.withdraw();
          return;
        }
        const next: ClusterState = {
          epoch: (read?.state.epoch ?? 0) + 1,
          leader: this.id!,
          isr: read ? read.state.isr : [this.id!],
          // The first state, and an entry from before incarnations, get ours now.
          incarnations: {
            ...read?.state.incarnations,
            ...(this.incarnation ? { [this.id!]: this.incarnation.id } : {}),
          },
        };
        const fence = this.client
          .if(key, 'Create', '==', candidacy.createRevision)
          .and(this.keys.state, read ? 'Mod' : 'Create', '==', read ? read.modRevision : 0);
        const res = await fence
          .then(this.client.put(this.keys.state).value(encodeClusterState(next)))
          .commit();
        if (this.candidacy !== candidacy) return;
        if (res.succeeded) {
          this.lead(candidacy, next, res.header.revision);
          return;
        }
        const still = await this.client.get(key).exec();
        if (still.kvs[0]?.create_revision !== candidacy.createRevision) {
          throw new Error('our election key is gone (lease expired or revoked)');
        }
        // Only the state changed between read and write: read it again.
      }
      throw new Error(`the cluster state kept changing during ${BUMP_ATTEMPTS} attempts`);
    } catch (err) {
      if (this.candidacy !== candidacy || !this.running) return;
      this.logger.warn(
        `won the election but could not take the lead (${describeError(err)}); campaigning again`,
      );
      await this.withdraw();
      this.retryLater();
    }
  }

  private lead(candidacy: Candidacy, state: ClusterState, modRevision: string): void {
    const leadership = new FencedLeadership(
      this.client,
      this.keys.state,
      candidacy.key!,
      candidacy.createRevision!,
      state,
      modRevision,
      (reason) => {
        if (this.leadership === leadership) this.depose(reason);
      },
    );
    this.leadership = leadership;
    this.retryBackoff.reset();
    this.logger.log(`elected leader for epoch ${state.epoch} (ISR: ${state.isr.join(', ')})`);
    this.events.next({ type: 'elected', leadership });
    this.reportLeader(state.leader, state.epoch);
    this.guard(candidacy, leadership);
  }

  /** Deposes at once when our election key disappears or etcd stops confirming our lease. */
  private guard(candidacy: Candidacy, leadership: FencedLeadership): void {
    const ttlMs = this.ttl * 1000;
    this.watchdog = setInterval(() => {
      if (this.leadership !== leadership || !candidacy.leaseObserved) return;
      if (Date.now() - candidacy.lastKeepAliveAt > ttlMs - LEASE_SAFETY_MARGIN_MS) {
        this.depose('lost etcd lease: stepping down (etcd has not confirmed it within the TTL)');
      }
    }, WATCHDOG_INTERVAL_MS);
    this.watchdog.unref();
    const watcher = this.client
      .watch()
      .key(candidacy.key!)
      .startRevision((BigInt(candidacy.createRevision!) + 1n).toString())
      .only('delete')
      .watcher();
    this.keyWatcher = watcher;
    watcher.on('delete', () => {
      if (this.leadership === leadership)
        this.depose('lost etcd lease: stepping down (our election key was deleted)');
    });
    watcher.on('error', () => undefined); // the watchdog still covers us
  }

  /** Ends the leadership (if any), resigns the candidacy, and campaigns again when allowed. */
  private depose(reason: string): void {
    const leadership = this.leadership;
    if (!leadership) return;
    this.leadership = undefined;
    leadership.end();
    clearInterval(this.watchdog);
    void this.keyWatcher?.cancel().catch(() => undefined);
    this.keyWatcher = undefined;
    this.logger.warn(`${this.id} is no longer leader of epoch ${leadership.epoch}: ${reason}`);
    this.events.next({ type: 'deposed', reason });
    void this.withdraw();
    this.retryLater();
  }

  /** Resigns the current candidacy (revoking its lease so the next candidate wins at once). */
  private async withdraw(): Promise<void> {
    const candidacy = this.candidacy;
    this.candidacy = undefined;
    if (!candidacy) return;
    await candidacy.campaign
      .resign()
      .catch((err) =>
        this.logger.warn(`could not resign from the election: ${describeError(err)}`),
      );
  }

  private retryLater(): void {
    if (!this.running) return;
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => this.evaluate(), this.retryBackoff.next());
  }

  private reportLeader(leaderId: string | null, epoch: number): void {
    const key = `${epoch}/${leaderId ?? ''}`;
    if (key === this.lastLeader) return;
    this.lastLeader = key;
    this.events.next({ type: 'leader', leaderId, epoch });
  }
}

/**
 * A leadership's fenced handle on the state. Writes are serialized: each one compares against
 * the mod revision the previous one produced. Any failed or unconfirmed write ends the
 * leadership, because after it we can no longer prove nobody else leads.
 */
export class FencedLeadership implements Leadership {
  readonly epoch: number;
  readonly leaderId: string;
  isr: string[];
  incarnations: Readonly<Record<string, string>>;
  private active = true;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly client: Etcd3,
    private readonly stateKey: string,
    private readonly electionKey: string,
    private readonly electionCreateRevision: string,
    state: ClusterState,
    /** Mod revision of the state as this leadership last wrote it. */
    public modRevision: string,
    private readonly onFenceFailed: (reason: string) => void,
  ) {
    this.epoch = state.epoch;
    this.leaderId = state.leader!;
    this.isr = [...state.isr];
    this.incarnations = onlyMembers(state.incarnations ?? {}, this.isr);
  }

  get isActive(): boolean {
    return this.active;
  }

  end(): void {
    this.active = false;
  }

  updateIsr(isr: string[], incarnations?: Readonly<Record<string, string>>): Promise<boolean> {
    const unique = [...new Set(isr)];
    return this.enqueue(() => {
      if (!unique.includes(this.leaderId)) {
        throw new Error(
          `the ISR must contain the leader ${this.leaderId}: got [${unique.join(', ')}]`,
        );
      }
      return this.write({
        epoch: this.epoch,
        leader: this.leaderId,
        isr: unique,
        incarnations: onlyMembers(incarnations ?? this.incarnations, unique),
      });
    });
  }

  /** Graceful stop: the same epoch and ISR with no leader, fenced like every other write. */
  clearLeader(): Promise<boolean> {
    return this.enqueue(() =>
      this.write({
        epoch: this.epoch,
        leader: null,
        isr: this.isr,
        incarnations: this.incarnations,
      }),
    );
  }

  private enqueue(op: () => Promise<boolean>): Promise<boolean> {
    const result = this.queue.then(op);
    this.queue = result.catch(() => undefined);
    return result;
  }

  private async write(next: ClusterState): Promise<boolean> {
    if (!this.active) return false;
    let res;
    try {
      res = await this.client
        .if(this.electionKey, 'Create', '==', this.electionCreateRevision)
        .and(this.stateKey, 'Mod', '==', this.modRevision)
        .then(this.client.put(this.stateKey).value(encodeClusterState(next)))
        .commit();
    } catch (err) {
      this.fail(`could not confirm an ISR update in etcd (${describeError(err)}): stepping down`);
      return false;
    }
    if (!res.succeeded) {
      this.fail(
        'an ISR update was fenced off (our election key is gone or the state changed): stepping down',
      );
      return false;
    }
    this.modRevision = res.header.revision;
    this.isr = next.isr;
    this.incarnations = next.incarnations ?? {};
    return true;
  }

  private fail(reason: string): void {
    if (!this.active) return;
    this.active = false;
    this.onFenceFailed(reason);
  }
}

function onlyMembers(
  incarnations: Readonly<Record<string, string>>,
  isr: readonly string[],
): Record<string, string> {
  return Object.fromEntries(Object.entries(incarnations).filter(([id]) => isr.includes(id)));
}
