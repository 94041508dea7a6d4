import { Inject, Injectable, Optional } from '@nestjs/common';
import { describeError } from '@distilled/common';
import { EtcdLeaseInvalidError, type Etcd3, type IKeyValue } from 'etcd3';
import { CLUSTER_OPTIONS, type ClusterOptions, type DeadLeaderLeases } from './cluster.interface';
import { decodeClusterState } from './cluster-state';
import { ETCD_CLIENT } from './etcd.provider';
import { ClusterKeys } from './keys';
import { CLUSTER_LOGGER, type ClusterLogger, clusterLogger } from './logger';

/** etcd's "no lease" id: a key put without a lease. */
const NO_LEASE = '0';

/**
 * Ends a dead leader's etcd leases at once (the DeadLeaderLeases contract), instead of leaving
 * them to expire: after a SIGKILL the cluster otherwise waits the lease TTL plus etcd's expiry
 * check (~500 ms in etcd 3.4) before the election moves on.
 *
 * Both leases go: the election key's, so the next candidate wins now, and the member key's, so
 * the new leader drops the dead one from the ISR when its term begins instead of waiting for
 * the member lease to expire before its first write commits. The member lease goes first.
 *
 * One range read of the whole cluster prefix gives the state, the candidates and the member
 * key at one revision; nothing is revoked unless that snapshot still shows `leaderId` leading
 * `epoch` with the winning election key, created before the state's last write (so not the key
 * of a process restarted under the same id). A restarted process's member key may already be
 * on its new lease: revoking that one only makes it register again. Revoking a live leader's
 * lease loses nothing (the epoch is the fence, DESIGN.md B.2), it only makes it step down: the
 * caller decides on evidence of death, this class only makes sure the evidence is about the
 * current leader.
 */
@Injectable()
export class DeadLeaderLeasesService implements DeadLeaderLeases {
  private readonly keys: ClusterKeys;
  private readonly logger: ClusterLogger;
  /** Lease ids this process revoked or tried to: never a second time. */
  private readonly revoked = new Set<string>();

  constructor(
    @Inject(ETCD_CLIENT) private readonly client: Etcd3,
    @Inject(CLUSTER_OPTIONS) options: ClusterOptions,
    @Optional() @Inject(CLUSTER_LOGGER) logger?: ClusterLogger,
  ) {
    this.keys = new ClusterKeys(options.cluster);
    this.logger = clusterLogger('DeadLeader', logger);
  }

  async revoke(leaderId: string, epoch: number, evidence: string): Promise<string[]> {
    const { kvs } = await this.client.getAll().prefix(this.keys.root).exec();
    const leases = this.leasesOf(kvs, leaderId, epoch).filter((id) => !this.revoked.has(id));
    if (leases.length === 0) return [];
    for (const id of leases) this.revoked.add(id);
    const done: string[] = [];
    for (const id of leases) {
      if (await this.revokeLease(id)) done.push(id);
    }
    if (done.length > 0) {
      this.logger.warn(
        `revoked the etcd lease(s) ${done.join(', ')} of leader ${leaderId} (epoch ${epoch}) so the election goes on without waiting out the TTL: ${evidence}`,
      );
    }
    return done;
  }

  /** The member lease, then the election lease, of `leaderId` if it still leads `epoch`. */
  private leasesOf(kvs: readonly IKeyValue[], leaderId: string, epoch: number): string[] {
    const byKey = new Map(kvs.map((kv) => [kv.key.toString(), kv]));
    const stateKv = byKey.get(this.keys.state);
    if (!stateKv) return [];
    const state = decodeClusterState(stateKv.value.toString());
    if (state.leader !== leaderId || state.epoch !== epoch) return [];
    const winner = kvs
      .filter((kv) => kv.key.toString().startsWith(this.keys.electionPrefix))
      .sort((a, b) => compareRevisions(a.create_revision, b.create_revision))[0];
    if (!winner || winner.value.toString() !== leaderId || winner.lease === NO_LEASE) return [];
    // The leader of this epoch was elected before it wrote the state; a younger key is a new
    // campaign under the same id (a restarted process), not the leader that refused.
    if (compareRevisions(winner.create_revision, stateKv.mod_revision) >= 0) return [];
    const member = byKey.get(this.keys.member(leaderId));
    const memberLease = member && member.lease !== NO_LEASE ? [member.lease] : [];
    return [...memberLease, winner.lease].filter((id, i, all) => all.indexOf(id) === i);
  }

  /** true when etcd revoked it; false when it was already gone (expired, or revoked by a peer). */
  private async revokeLease(id: string): Promise<boolean> {
    try {
      await this.client.leaseClient.leaseRevoke({ ID: id });
      return true;
    } catch (error) {
      if (error instanceof EtcdLeaseInvalidError) return false;
      this.logger.warn(`could not revoke lease ${id}: ${describeError(error)}`);
      return false;
    }
  }
}

/** etcd revisions are int64 decimal strings. */
function compareRevisions(a: string, b: string): number {
  const x = BigInt(a);
  const y = BigInt(b);
  return x < y ? -1 : x > y ? 1 : 0;
}
