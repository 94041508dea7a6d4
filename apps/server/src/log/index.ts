export { ReplicaController } from './replica.controller';
export { ReplicaService } from './replica.service';
export { AppendStreams } from './append-streams';
export { toCallStatus } from './append-status';
export { RangeReads } from './range-reads.service';
export { RangeReadStreams } from './range-read-streams';
export { FollowStreams } from './follow-streams';
