export { ReplicaState } from './replica-state';
export { LeaderService } from './leader.service';
export { FollowerService } from './follower.service';
export type { LeaderTarget } from './follower.service';
export { ReplicationController } from './replication.controller';
