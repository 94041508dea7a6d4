export { ErrorReason, ErrorMetadata } from './errors';
export { resolveProtoPath, PROTO_LOADER_OPTIONS, PROTO_PACKAGE } from './proto-path';
export { loadDistilledPackage, createGrpcClient } from './grpc-client';
export { AppendStreamClient, serviceError, type AppendStreamCapable } from './append-stream-client';
export type {
  AppendRequest,
  AppendResponse,
  AppendAnswer,
  AppendStreamRequest,
  AppendStreamResponse,
  CallStatus,
  ReadRequest,
  ReadResponse,
  ReadBatchRequest,
  ReadBatchResponse,
  ReadRangeRequest,
  ReadRangeResponse,
  FollowRequest,
  FollowResponse,
  StatusRequest,
  StatusResponse,
  ReplicaRole,
  FetchRequest,
  FetchResponse,
  EndOffsetForEpochRequest,
  EndOffsetForEpochResponse,
} from './messages';
