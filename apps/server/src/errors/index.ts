export { ReplicaError } from './replica-error';
export type { ReplicaErrorDetails } from './replica-error';
export { toGrpcStatus, isExpectedError } from './grpc-status';
export type { GrpcErrorStatus } from './grpc-status';
export { GrpcExceptionFilter } from './grpc-exception.filter';
