export { ReplicasModule } from './replicas.module';
export { REPLICA_GATEWAY, ReplicaCallError } from './replica-gateway';
export type { ReplicaGateway, ReplicaRef, Delivery } from './replica-gateway';
export { IdempotentProducer } from './idempotent-producer';
export { ReplicaReader } from './replica-reader';
export type { ReadResult } from './replica-reader';
export { judgeAppendFailure } from './append-verdict';
export type { AppendVerdict } from './append-verdict';
export { readRefusalProblem } from './read-refusal';
