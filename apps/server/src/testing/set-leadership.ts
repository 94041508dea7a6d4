/**
 * For unit specs: changes what a ReplicaState knows of the leadership in one field, the way the
 * service that owns it would (LeaderService while leading, RoleService otherwise).
 */
import type { Leadership, ReplicaState } from '../replication/replica-state';

export function setLeadership(state: ReplicaState, change: Partial<Leadership>): void {
  const leadership = { ...state.leadership, ...change };
  if (state.role === 'leader') state.leading(leadership);
  else state.following(leadership);
}
