import type { ClusterState, ReplicaIncarnation } from './cluster.interface';

/**
 * Whether a replica counts as in sync, by the ISR in etcd and its own data directory. Listed by
 * id is not enough: a replica restarted on a wiped or replaced directory (same id) lost every
 * committed message, and leading would lose them for the whole cluster (KIP-966's "unclean
 * restart"). So it is in sync only with the incarnation the ISR recorded for it.
 *
 * An ISR entry without a recorded incarnation comes from a state written before incarnations
 * existed (an upgrade, or an older leader during a rolling one). For it, an intact directory
 * (its incarnation read from disk, or adopted for a log that predates the file) keeps the
 * standing it had, since refusing would leave an upgraded cluster without any electable
 * replica; a directory created empty at this start is refused, since nothing says it still
 * holds what the entry was granted for. The leader records incarnations as it rewrites the ISR,
 * so that window closes at the first ISR write after the upgrade.
 */
export type IsrStanding =
  { inSync: true; recorded: boolean } | { inSync: false; why: string; listed: boolean };

export function isrStanding(
  state: ClusterState,
  id: string,
  incarnation?: ReplicaIncarnation,
): IsrStanding {
  if (!state.isr.includes(id)) {
    return {
      inSync: false,
      listed: false,
      why: `${id} is not in the ISR (${state.isr.join(', ')})`,
    };
  }
  if (!incarnation) return { inSync: true, recorded: false };
  // Own keys only: an id such as "constructor" must not find Object.prototype's.
  const recorded =
    state.incarnations && Object.hasOwn(state.incarnations, id)
      ? state.incarnations[id]
      : undefined;
  if (recorded === incarnation.id) return { inSync: true, recorded: true };
  const mine = incarnation.isNew
    ? `the data directory of ${id} was created empty (incarnation ${incarnation.id})`
    : `the data directory of ${id} is incarnation ${incarnation.id}`;
  if (recorded !== undefined) {
    return {
      inSync: false,
      listed: true,
      why: `${mine} but the ISR recorded ${recorded}: it may lack committed messages`,
    };
  }
  if (incarnation.isNew) {
    return {
      inSync: false,
      listed: true,
      why: `${mine} and the ISR recorded no incarnation for it (a state from before incarnations): it may lack committed messages`,
    };
  }
  return { inSync: true, recorded: false };
}
