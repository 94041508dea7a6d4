export { ReplicaState } from './replica-state';
export type { Leadership, MissingCommitted } from './replica-state';
export { LogFailures } from './log-failures';
export type { CorruptionListener } from './log-failures';
export { ReportingLogStore } from './reporting-log-store';
export { LeaderService } from './leader.service';
export { FollowerService } from './follower.service';
export type { LeaderTarget } from './follower.service';
export { ReplicationController } from './replication.controller';
