import { type Campaign, type Election as EtcdElection, Lease } from 'etcd3';

/**
 * One candidacy: an etcd3 Campaign (its own lease and key) plus what we learn about it. The
 * election service holds at most one; every callback checks it still holds this one, so a
 * campaign it has already withdrawn can no longer act.
 */
export interface Candidacy {
  readonly campaign: Campaign;
  /** Full etcd key of this candidate and its create revision, known once elected. */
  key?: string;
  createRevision?: string;
  /** When etcd last confirmed the campaign lease (keepalive response or grant). */
  lastKeepAliveAt: number;
  /** Whether we could hook the lease's keepalives (etcd3 internals); else no watchdog. */
  leaseObserved: boolean;
}

/** Campaigns as `id` and starts recording when etcd confirms the campaign's lease. */
export function enterCampaign(election: EtcdElection, id: string): Candidacy {
  const campaign = election.campaign(id);
  // etcd3 keeps the campaign's lease private; we need its keepalive times to step down before
  // the lease can expire in etcd (its own 'lost' fires only after twice the TTL).
  const lease = (campaign as unknown as { lease?: unknown }).lease;
  const candidacy: Candidacy = {
    campaign,
    lastKeepAliveAt: Date.now(),
    leaseObserved: lease instanceof Lease,
  };
  if (lease instanceof Lease) {
    lease.on('keepaliveSucceeded', () => (candidacy.lastKeepAliveAt = Date.now()));
  }
  return candidacy;
}
