export { ErrorReason, ErrorMetadata } from './errors';
export { resolveProtoPath, PROTO_LOADER_OPTIONS, PROTO_PACKAGE } from './proto-path';
export { GRPC_MAX_MESSAGE_BYTES, CLIENT_CHANNEL_OPTIONS } from './channel-options';
export {
  loadDistilledPackage,
  createReplicaStub,
  createReplicationStub,
  type DistilledPackage,
  type ReplicaStub,
  type ReplicationStub,
} from './grpc-client';
export { GrpcSecurity, type GrpcTlsMaterial } from './grpc-security';
export { ReplicaClient } from './replica-client';
export type { FollowStream, FollowStreamHandlers } from './follow-stream';
export { ReplicaClientPool, type ReplicaClientPoolOptions } from './replica-client-pool';
export { ReplicationClient, type FetchStream } from './replication-client';
export {
  AppendStreamClient,
  APPEND_PARTS_HEADER,
  joinParts,
  type AppendStreamCapable,
} from './append-stream-client';
export { fromCallStatus, serviceError } from './service-error';
export {
  compactPartsAnswer,
  isCompactPartsAnswer,
  readCompactPartsAnswer,
  type PartResult,
} from './compact-parts-answer';
export { RangeStreamClient, type RangeStreamCapable } from './range-stream-client';
export type { ReplicaHandlers } from './generated/distilled/v1/Replica';
export type { ReplicationHandlers } from './generated/distilled/v1/Replication';
export type {
  AppendBatch,
  AppendAnswer,
  AppendAnswer__Input,
  AppendPart,
  AppendRequest,
  AppendRequest__Input,
  AppendResponse,
  AppendResponse__Input,
  AppendStreamRequest,
  AppendStreamRequest__Input,
  AppendStreamResponse,
  AppendStreamResponse__Input,
  CallStatus,
  CallStatus__Input,
  ReadRequest,
  ReadResponse,
  ReadResponse__Input,
  ReadBatchRequest,
  ReadBatchResponse,
  ReadBatchResponse__Input,
  ReadRangeRequest,
  ReadRangeRequest__Input,
  ReadRangeResponse,
  ReadRangeResponse__Input,
  ReadRangeStreamRequest,
  ReadRangeStreamRequest__Input,
  ReadRangeStreamResponse,
  ReadRangeStreamResponse__Input,
  FollowRequest,
  FollowRequest__Input,
  FollowResponse,
  FollowResponse__Input,
  StatusRequest,
  StatusResponse,
  StatusResponse__Input,
  ReplicaRole,
  FetchRequest,
  FetchRequest__Input,
  FetchResponse,
  FetchResponse__Input,
  EndOffsetForEpochRequest,
  EndOffsetForEpochResponse,
  EndOffsetForEpochResponse__Input,
} from './messages';
