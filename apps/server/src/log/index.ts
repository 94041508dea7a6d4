export { ReplicaController } from './replica.controller';
export { ReplicaService } from './replica.service';
export { AppendStreams, toCallStatus } from './append-streams';
export { RangeReads } from './range-reads.service';
export { FollowStreams } from './follow-streams';
