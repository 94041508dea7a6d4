export { ReplicaController } from './replica.controller';
export { ReplicaService } from './replica.service';
export { AppendStreams, toCallStatus } from './append-streams';
