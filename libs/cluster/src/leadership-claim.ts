import type { Etcd3 } from 'etcd3';
import type {
  ClusterState,
  ClusterStateStore,
  ReplicaIncarnation,
  VersionedClusterState,
} from './cluster.interface';
import { encodeClusterState } from './cluster-state';
import type { Candidacy } from './candidacy';
import { isrStanding, type IsrStanding } from './isr-standing';
import type { ClusterKeys } from './keys';

/** Attempts to bump the epoch when the state keeps changing between our read and our write. */
const BUMP_ATTEMPTS = 5;

/** What the election service needs to know about itself while a claim runs. */
export interface ClaimContext {
  readonly client: Etcd3;
  readonly keys: ClusterKeys;
  readonly stateStore: ClusterStateStore;
  readonly id: string;
  readonly incarnation?: ReplicaIncarnation;
  /** False once the service has dropped this candidacy: the claim then stops, doing nothing. */
  isCurrent(candidacy: Candidacy): boolean;
  isEligible(): boolean;
}

export type ClaimOutcome =
  | { readonly kind: 'leading'; readonly state: ClusterState; readonly modRevision: string }
  /** The candidacy was dropped meanwhile: nothing left to do. */
  | { readonly kind: 'superseded' }
  /** setEligible(false) arrived meanwhile. */
  | { readonly kind: 'ineligible' }
  | {
      readonly kind: 'out-of-sync';
      readonly read: VersionedClusterState;
      readonly standing: Extract<IsrStanding, { inSync: false }>;
    };

/**
 * Turns a won etcd3 election into leadership. Winning is not leading: the winner re-reads the
 * state and, only if it is in the ISR, writes {epoch + 1, leader: self, isr} in one transaction
 * that compares
 *   (a) its own election key's create revision (the key exists only while its lease lives and
 *       it has not resigned; since later candidates have later create revisions, it is still
 *       the winner), and
 *   (b) the state key's mod revision against the one it read (or "absent" for the first state).
 * Throws when the election key is gone or the state kept changing; the caller campaigns again.
 * Sets `candidacy.key` and `candidacy.createRevision`, which the leadership then fences on.
 */
export async function claimLeadership(
  ctx: ClaimContext,
  candidacy: Candidacy,
): Promise<ClaimOutcome> {
  const { client, keys, id, incarnation } = ctx;
  const key = await candidacy.campaign.getCampaignKey();
  const own = await client.get(key).exec();
  if (!ctx.isCurrent(candidacy)) return { kind: 'superseded' };
  const kv = own.kvs[0];
  if (!kv) throw new Error('our election key vanished right after winning');
  candidacy.key = key;
  candidacy.createRevision = kv.create_revision;
  for (let attempt = 0; attempt < BUMP_ATTEMPTS; attempt++) {
    const read = await ctx.stateStore.read();
    if (!ctx.isCurrent(candidacy)) return { kind: 'superseded' };
    if (!ctx.isEligible()) return { kind: 'ineligible' };
    const standing = read ? isrStanding(read.state, id, incarnation) : undefined;
    if (read && standing && !standing.inSync) return { kind: 'out-of-sync', read, standing };
    const next: ClusterState = {
      epoch: (read?.state.epoch ?? 0) + 1,
      leader: id,
      isr: read ? read.state.isr : [id],
      // The first state, and an entry from before incarnations, get ours now.
      incarnations: {
        ...read?.state.incarnations,
        ...(incarnation ? { [id]: incarnation.id } : {}),
      },
    };
    const fence = client
      .if(key, 'Create', '==', candidacy.createRevision)
      .and(keys.state, read ? 'Mod' : 'Create', '==', read ? read.modRevision : 0);
    const res = await fence.then(client.put(keys.state).value(encodeClusterState(next))).commit();
    if (!ctx.isCurrent(candidacy)) return { kind: 'superseded' };
    if (res.succeeded) return { kind: 'leading', state: next, modRevision: res.header.revision };
    const still = await client.get(key).exec();
    if (still.kvs[0]?.create_revision !== candidacy.createRevision) {
      throw new Error('our election key is gone (lease expired or revoked)');
    }
    // Only the state changed between read and write: read it again.
  }
  throw new Error(`the cluster state kept changing during ${BUMP_ATTEMPTS} attempts`);
}
