import { Inject, Injectable, type OnModuleDestroy, Optional } from '@nestjs/common';
import { describeError, RetryBackoff } from '@distilled/common';
import type { Election as EtcdElection, Etcd3 } from 'etcd3';
import { type Observable, Subject, type Subscription } from 'rxjs';
import { type Candidacy, enterCampaign } from './candidacy';
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
import { ETCD_CLIENT } from './etcd.provider';
import { FencedLeadership } from './fenced-leadership';
import { isrStanding, type IsrStanding } from './isr-standing';
import { ClusterKeys } from './keys';
import { type ClaimContext, claimLeadership } from './leadership-claim';
import { LeadershipGuard } from './leadership-guard';
import { CLUSTER_LOGGER, type ClusterLogger, clusterLogger } from './logger';
import { DEFAULT_LEASE_TTL_SECONDS } from './membership';

const RETRY_MIN_MS = 100;
const RETRY_MAX_MS = 2_000;

/**
 * Leader election among the ISR, fenced by the epoch in `/<cluster>/state` (libs/cluster README,
 * "Guarantees").
 *
 * etcd3's Election picks one candidate (the oldest live key under the election prefix); this
 * service decides when to stand (the ISR rule, setEligible) and drives one candidacy at a time:
 * enterCampaign (candidacy.ts) -> claimLeadership, the fenced epoch bump (leadership-claim.ts)
 * -> FencedLeadership, every later state write (fenced-leadership.ts), watched by a
 * LeadershipGuard (leadership-guard.ts) -> depose, withdraw, campaign again.
 * Every write compares our election key's create revision and the state's mod revision, so a
 * leader that was replaced, lost its lease or raced another write can never change the state.
 * The etcd lease is only a liveness hint; the epoch is the fence replicas check.
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
  private guard?: LeadershipGuard;

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
    const superseded = leadership?.supersededBy(state);
    if (leadership && superseded) {
      // Our own "no leader" write (setEligible) may be seen here before its answer arrives.
      const ours = !this.eligible && state?.state.epoch === leadership.epoch;
      this.depose(ours ? this.standAsideReason() : superseded);
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
    const candidacy = enterCampaign(this.election!, this.id!);
    this.candidacy = candidacy;
    candidacy.campaign.on('error', (err: Error) => this.onCampaignError(candidacy, err));
    candidacy.campaign.on('elected', () => void this.onElected(candidacy));
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
    const context: ClaimContext = {
      client: this.client,
      keys: this.keys,
      stateStore: this.stateStore,
      id: this.id!,
      incarnation: this.incarnation,
      isCurrent: (c) => this.candidacy === c,
      isEligible: () => this.eligible,
    };
    try {
      const claim = await claimLeadership(context, candidacy);
      switch (claim.kind) {
        case 'leading':
          this.lead(candidacy, claim.state, claim.modRevision);
          return;
        case 'superseded':
          return;
        case 'ineligible':
          await this.withdraw();
          return;
        case 'out-of-sync': {
          const { read, standing } = claim;
          this.logger.log(
            `${this.id} won the election but ${standing.listed ? standing.why : 'is not in the ISR'} (ISR: ${read.state.isr.join(', ')}): resigning so an in-sync replica can lead`,
          );
          await this.withdraw();
          return;
        }
      }
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
    this.guard = new LeadershipGuard(this.client, candidacy, this.ttl, (reason) => {
      if (this.leadership === leadership) this.depose(reason);
    });
  }

  /** Ends the leadership (if any), resigns the candidacy, and campaigns again when allowed. */
  private depose(reason: string): void {
    const leadership = this.leadership;
    if (!leadership) return;
    this.leadership = undefined;
    leadership.end();
    this.guard?.stop();
    this.guard = undefined;
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
