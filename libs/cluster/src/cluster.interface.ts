/**
 * The contract of libs/cluster, shared by apps/server and apps/api. The implementations live
 * beside this file; apps depend only on these shapes and the injection tokens below.
 *
 * etcd layout under the prefix `/<cluster>/` (libs/cluster README, "Use"):
 *   members/<id>   JSON MemberInfo, on the member's lease (TTL ~1 s, kept alive)
 *   election/leader/<lease>  etcd3 Election (namespace `/<cluster>/`, name `leader`); the value
 *                  is the candidate's id; the oldest key wins
 *   state          JSON ClusterState; changed only by fenced transactions
 */
import type { Observable } from 'rxjs';

export interface ClusterOptions {
  /** etcd endpoints, e.g. ['http://127.0.0.1:2379'] (from DISTILLED_ETCD). */
  endpoints: string[];
  /** Key prefix name (from DISTILLED_CLUSTER); several clusters can share one etcd. */
  cluster: string;
  /** Lease TTL in seconds for membership and election (default 2). */
  leaseTtlSeconds?: number;
}

export interface MemberInfo {
  id: string;
  /** host:port others dial for gRPC (DISTILLED_ADVERTISE). */
  address: string;
  /**
   * Set (true) while the replica's disk refuses its log writes: a full leader hands over only
   * to an in-sync replica without it. Absent otherwise, so older records read the same.
   */
  diskFull?: boolean;
}

export interface ClusterState {
  /** Leader epoch: grows by one at every election; carried in every batch and replication call. */
  epoch: number;
  /** The leader's member id, or null while none is elected. */
  leader: string | null;
  /** In-sync replica ids. Only these may lead. */
  isr: string[];
  /**
   * The data-directory incarnation each ISR member had when it was recorded (member id ->
   * incarnation; keys are always ISR members). A replica listed in `isr` whose data directory
   * has another incarnation was wiped or replaced: it is not in sync (see isrStanding). An ISR
   * member without an entry was recorded before incarnations existed (or by an older leader).
   * Absent when no member has one, so states of older versions read back unchanged.
   */
  incarnations?: Readonly<Record<string, string>>;
}

/** The data directory a replica runs on (libs/log-store's incarnation file), for the ISR rule. */
export interface ReplicaIncarnation {
  id: string;
  /**
   * The directory was created empty (at this start or an earlier one; the incarnation file
   * keeps it): nothing says it holds a committed message. Decides what an ISR entry without a
   * recorded incarnation (a state from before incarnations) means for it.
   */
  isNew: boolean;
}

/** A state as read from etcd with the revision a fenced write must match. */
export interface VersionedClusterState {
  state: ClusterState;
  /** etcd mod revision of the state key (string: etcd revisions are int64). */
  modRevision: string;
}

export const CLUSTER_OPTIONS = Symbol('CLUSTER_OPTIONS');

/** Membership: who is in the cluster and where to dial them. Used by replicas and the API. */
export interface Membership {
  /**
   * Registers this process under members/<id> on a kept-alive lease. If the lease is lost
   * (etcd unreachable past the TTL) it re-registers by itself once etcd answers again.
   */
  register(member: MemberInfo): Promise<void>;
  /** Removes this process's registration and revokes its lease (graceful stop). */
  deregister(): Promise<void>;
  /**
   * Replaces what the registered member says about itself (same id), on the same lease; kept
   * for a later re-registration too. Rejects when etcd does not take it (the caller may retry).
   */
  update(member: MemberInfo): Promise<void>;
  /** Every change of the member set, starting with the current one. */
  readonly members$: Observable<ReadonlyMap<string, MemberInfo>>;
  /** The latest known member set. */
  current(): ReadonlyMap<string, MemberInfo>;
}

/** Reads and watches /<cluster>/state; writes only through the fenced leader path. */
export interface ClusterStateStore {
  read(): Promise<VersionedClusterState | null>;
  /** Every change of the state, starting with the current one (null until it exists). */
  readonly state$: Observable<VersionedClusterState | null>;
  current(): VersionedClusterState | null;
}

/** What ElectionService reports when this replica wins and has bumped the epoch. */
export interface Leadership {
  epoch: number;
  isr: string[];
  /** The recorded incarnations of ISR members (the leader's own included when it has one). */
  incarnations: Readonly<Record<string, string>>;
  /**
   * A fenced write of the state while this leadership lasts: it succeeds only if this
   * replica's election key still exists AND the state is unchanged since the last read/write
   * of this leadership. Resolves false (and ends the leadership) when the fence fails.
   * `incarnations` (default: the current ones) is kept only for members of `isr`.
   */
  updateIsr(isr: string[], incarnations?: Readonly<Record<string, string>>): Promise<boolean>;
}

/** Events of ElectionService. */
export type ElectionEvent =
  /** This replica won, was in the ISR, and bumped the epoch in a fenced transaction. */
  | { type: 'elected'; leadership: Leadership }
  /** This replica stopped being leader (resigned, lease lost, fence failed). Stop acking at once. */
  | { type: 'deposed'; reason: string }
  /** The observed leader or epoch changed (any replica, including this one). */
  | { type: 'leader'; leaderId: string | null; epoch: number };

export interface Election {
  /**
   * Campaigns for leadership as `id` whenever this replica is allowed to lead (it is in the
   * ISR, or no state exists yet). A winner outside the ISR resigns and keeps waiting.
   * `incarnation`: this replica's data directory; it is in the ISR only while the ISR recorded
   * that incarnation for it (isrStanding), and a winner records it. Without one, the ISR is
   * judged by id alone (as before incarnations; for tools and tests, not for replicas).
   */
  start(id: string, incarnation?: ReplicaIncarnation): Promise<void>;
  /** Resigns (if leading) and stops campaigning; a graceful stop hands over at once. */
  stop(): Promise<void>;
  /**
   * Whether this replica may stand for leader at all (default true), on top of the ISR rule.
   * false: a leader clears itself from the state (fenced) and resigns, so another in-sync
   * replica takes over at once, and a candidate withdraws; it keeps watching and reporting the
   * leader. true: campaigns again (when in the ISR). `reason` goes to the log. For a replica
   * that knows its log lacks committed messages; callable before start() and again after.
   */
  setEligible(eligible: boolean, reason: string): Promise<void>;
  readonly events$: Observable<ElectionEvent>;
  /** True while this replica holds a leadership that has not been deposed. */
  isLeader(): boolean;
}

/**
 * What a replica does with positive evidence that the leader's process is gone (its port
 * refuses connections): ends that leader's etcd leases now, so the election goes on at once
 * instead of waiting out the TTL. Safe against a live leader too (the epoch is the fence), but
 * that would be a false step-down, so the caller acts on refusal only (apps/server README).
 */
export interface DeadLeaderLeases {
  /**
   * Revokes the lease of `leaderId`'s election key and of its member key, only while the state
   * names it leader of `epoch` and its election key is the oldest (the winner's); never twice
   * for one lease. `evidence` goes to the one log line it writes. Resolves with the lease ids
   * it revoked ([] when the state or the election had already moved on).
   */
  revoke(leaderId: string, epoch: number, evidence: string): Promise<string[]>;
}

export const MEMBERSHIP = Symbol('MEMBERSHIP');
export const DEAD_LEADER_LEASES = Symbol('DEAD_LEADER_LEASES');
export const CLUSTER_STATE_STORE = Symbol('CLUSTER_STATE_STORE');
export const ELECTION = Symbol('ELECTION');
