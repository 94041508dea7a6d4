// Original file: libs/proto/src/distilled/v1/distilled.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { EndOffsetForEpochRequest__Input as _distilled_v1_EndOffsetForEpochRequest__Input, EndOffsetForEpochRequest as _distilled_v1_EndOffsetForEpochRequest } from '../../distilled/v1/EndOffsetForEpochRequest';
import type { EndOffsetForEpochResponse__Input as _distilled_v1_EndOffsetForEpochResponse__Input, EndOffsetForEpochResponse as _distilled_v1_EndOffsetForEpochResponse } from '../../distilled/v1/EndOffsetForEpochResponse';
import type { FetchRequest__Input as _distilled_v1_FetchRequest__Input, FetchRequest as _distilled_v1_FetchRequest } from '../../distilled/v1/FetchRequest';
import type { FetchResponse__Input as _distilled_v1_FetchResponse__Input, FetchResponse as _distilled_v1_FetchResponse } from '../../distilled/v1/FetchResponse';

/**
 * Calls between replicas.
 */
export interface ReplicationClient extends grpc.Client {
  /**
   * KIP-101: the end offset of `epoch` in the leader's log: the start offset of the first
   * epoch greater than it, or the log end offset when `epoch` is the latest.
   */
  EndOffsetForEpoch(argument: _distilled_v1_EndOffsetForEpochRequest__Input, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_distilled_v1_EndOffsetForEpochResponse>): grpc.ClientUnaryCall;
  EndOffsetForEpoch(argument: _distilled_v1_EndOffsetForEpochRequest__Input, metadata: grpc.Metadata, callback: grpc.requestCallback<_distilled_v1_EndOffsetForEpochResponse>): grpc.ClientUnaryCall;
  EndOffsetForEpoch(argument: _distilled_v1_EndOffsetForEpochRequest__Input, options: grpc.CallOptions, callback: grpc.requestCallback<_distilled_v1_EndOffsetForEpochResponse>): grpc.ClientUnaryCall;
  EndOffsetForEpoch(argument: _distilled_v1_EndOffsetForEpochRequest__Input, callback: grpc.requestCallback<_distilled_v1_EndOffsetForEpochResponse>): grpc.ClientUnaryCall;
  /**
   * KIP-101: the end offset of `epoch` in the leader's log: the start offset of the first
   * epoch greater than it, or the log end offset when `epoch` is the latest.
   */
  endOffsetForEpoch(argument: _distilled_v1_EndOffsetForEpochRequest__Input, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_distilled_v1_EndOffsetForEpochResponse>): grpc.ClientUnaryCall;
  endOffsetForEpoch(argument: _distilled_v1_EndOffsetForEpochRequest__Input, metadata: grpc.Metadata, callback: grpc.requestCallback<_distilled_v1_EndOffsetForEpochResponse>): grpc.ClientUnaryCall;
  endOffsetForEpoch(argument: _distilled_v1_EndOffsetForEpochRequest__Input, options: grpc.CallOptions, callback: grpc.requestCallback<_distilled_v1_EndOffsetForEpochResponse>): grpc.ClientUnaryCall;
  endOffsetForEpoch(argument: _distilled_v1_EndOffsetForEpochRequest__Input, callback: grpc.requestCallback<_distilled_v1_EndOffsetForEpochResponse>): grpc.ClientUnaryCall;
  
  /**
   * A follower opens one stream to the leader. It sends a FetchRequest first and then one
   * each time its log end offset moves (that is its acknowledgement); the leader streams
   * FetchResponses with whole record batches from the requested offset, plus its high
   * watermark, as they become available. Either side ends the stream on an epoch change.
   */
  Fetch(metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientDuplexStream<_distilled_v1_FetchRequest__Input, _distilled_v1_FetchResponse>;
  Fetch(options?: grpc.CallOptions): grpc.ClientDuplexStream<_distilled_v1_FetchRequest__Input, _distilled_v1_FetchResponse>;
  /**
   * A follower opens one stream to the leader. It sends a FetchRequest first and then one
   * each time its log end offset moves (that is its acknowledgement); the leader streams
   * FetchResponses with whole record batches from the requested offset, plus its high
   * watermark, as they become available. Either side ends the stream on an epoch change.
   */
  fetch(metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientDuplexStream<_distilled_v1_FetchRequest__Input, _distilled_v1_FetchResponse>;
  fetch(options?: grpc.CallOptions): grpc.ClientDuplexStream<_distilled_v1_FetchRequest__Input, _distilled_v1_FetchResponse>;
  
}

/**
 * Calls between replicas.
 */
export interface ReplicationHandlers extends grpc.UntypedServiceImplementation {
  /**
   * KIP-101: the end offset of `epoch` in the leader's log: the start offset of the first
   * epoch greater than it, or the log end offset when `epoch` is the latest.
   */
  EndOffsetForEpoch: grpc.handleUnaryCall<_distilled_v1_EndOffsetForEpochRequest, _distilled_v1_EndOffsetForEpochResponse__Input>;
  
  /**
   * A follower opens one stream to the leader. It sends a FetchRequest first and then one
   * each time its log end offset moves (that is its acknowledgement); the leader streams
   * FetchResponses with whole record batches from the requested offset, plus its high
   * watermark, as they become available. Either side ends the stream on an epoch change.
   */
  Fetch: grpc.handleBidiStreamingCall<_distilled_v1_FetchRequest, _distilled_v1_FetchResponse__Input>;
  
}

export interface ReplicationDefinition extends grpc.ServiceDefinition {
  EndOffsetForEpoch: MethodDefinition<_distilled_v1_EndOffsetForEpochRequest__Input, _distilled_v1_EndOffsetForEpochResponse__Input, _distilled_v1_EndOffsetForEpochRequest, _distilled_v1_EndOffsetForEpochResponse>
  Fetch: MethodDefinition<_distilled_v1_FetchRequest__Input, _distilled_v1_FetchResponse__Input, _distilled_v1_FetchRequest, _distilled_v1_FetchResponse>
}
