// Original file: libs/proto/src/distilled/v1/distilled.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { AppendRequest__Input as _distilled_v1_AppendRequest__Input, AppendRequest as _distilled_v1_AppendRequest } from '../../distilled/v1/AppendRequest';
import type { AppendResponse__Input as _distilled_v1_AppendResponse__Input, AppendResponse as _distilled_v1_AppendResponse } from '../../distilled/v1/AppendResponse';
import type { AppendStreamRequest__Input as _distilled_v1_AppendStreamRequest__Input, AppendStreamRequest as _distilled_v1_AppendStreamRequest } from '../../distilled/v1/AppendStreamRequest';
import type { AppendStreamResponse__Input as _distilled_v1_AppendStreamResponse__Input, AppendStreamResponse as _distilled_v1_AppendStreamResponse } from '../../distilled/v1/AppendStreamResponse';
import type { FollowRequest__Input as _distilled_v1_FollowRequest__Input, FollowRequest as _distilled_v1_FollowRequest } from '../../distilled/v1/FollowRequest';
import type { FollowResponse__Input as _distilled_v1_FollowResponse__Input, FollowResponse as _distilled_v1_FollowResponse } from '../../distilled/v1/FollowResponse';
import type { ReadBatchRequest__Input as _distilled_v1_ReadBatchRequest__Input, ReadBatchRequest as _distilled_v1_ReadBatchRequest } from '../../distilled/v1/ReadBatchRequest';
import type { ReadBatchResponse__Input as _distilled_v1_ReadBatchResponse__Input, ReadBatchResponse as _distilled_v1_ReadBatchResponse } from '../../distilled/v1/ReadBatchResponse';
import type { ReadRangeRequest__Input as _distilled_v1_ReadRangeRequest__Input, ReadRangeRequest as _distilled_v1_ReadRangeRequest } from '../../distilled/v1/ReadRangeRequest';
import type { ReadRangeResponse__Input as _distilled_v1_ReadRangeResponse__Input, ReadRangeResponse as _distilled_v1_ReadRangeResponse } from '../../distilled/v1/ReadRangeResponse';
import type { ReadRangeStreamRequest__Input as _distilled_v1_ReadRangeStreamRequest__Input, ReadRangeStreamRequest as _distilled_v1_ReadRangeStreamRequest } from '../../distilled/v1/ReadRangeStreamRequest';
import type { ReadRangeStreamResponse__Input as _distilled_v1_ReadRangeStreamResponse__Input, ReadRangeStreamResponse as _distilled_v1_ReadRangeStreamResponse } from '../../distilled/v1/ReadRangeStreamResponse';
import type { ReadRequest__Input as _distilled_v1_ReadRequest__Input, ReadRequest as _distilled_v1_ReadRequest } from '../../distilled/v1/ReadRequest';
import type { ReadResponse__Input as _distilled_v1_ReadResponse__Input, ReadResponse as _distilled_v1_ReadResponse } from '../../distilled/v1/ReadResponse';
import type { StatusRequest__Input as _distilled_v1_StatusRequest__Input, StatusRequest as _distilled_v1_StatusRequest } from '../../distilled/v1/StatusRequest';
import type { StatusResponse__Input as _distilled_v1_StatusResponse__Input, StatusResponse as _distilled_v1_StatusResponse } from '../../distilled/v1/StatusResponse';

/**
 * Calls that clients (the HTTP API, benchmarks, tests) make on any replica.
 */
export interface ReplicaClient extends grpc.Client {
  /**
   * Appends a batch of messages on the leader. Answers once the whole batch is committed
   * (high watermark past it, ISR >= min in-sync). A follower answers FAILED_PRECONDITION
   * with reason not-leader. A batch carrying (producer_id, sequence) that the log already
   * holds is answered with its original offsets and not appended again.
   */
  Append(argument: _distilled_v1_AppendRequest__Input, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_distilled_v1_AppendResponse>): grpc.ClientUnaryCall;
  Append(argument: _distilled_v1_AppendRequest__Input, metadata: grpc.Metadata, callback: grpc.requestCallback<_distilled_v1_AppendResponse>): grpc.ClientUnaryCall;
  Append(argument: _distilled_v1_AppendRequest__Input, options: grpc.CallOptions, callback: grpc.requestCallback<_distilled_v1_AppendResponse>): grpc.ClientUnaryCall;
  Append(argument: _distilled_v1_AppendRequest__Input, callback: grpc.requestCallback<_distilled_v1_AppendResponse>): grpc.ClientUnaryCall;
  /**
   * Appends a batch of messages on the leader. Answers once the whole batch is committed
   * (high watermark past it, ISR >= min in-sync). A follower answers FAILED_PRECONDITION
   * with reason not-leader. A batch carrying (producer_id, sequence) that the log already
   * holds is answered with its original offsets and not appended again.
   */
  append(argument: _distilled_v1_AppendRequest__Input, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_distilled_v1_AppendResponse>): grpc.ClientUnaryCall;
  append(argument: _distilled_v1_AppendRequest__Input, metadata: grpc.Metadata, callback: grpc.requestCallback<_distilled_v1_AppendResponse>): grpc.ClientUnaryCall;
  append(argument: _distilled_v1_AppendRequest__Input, options: grpc.CallOptions, callback: grpc.requestCallback<_distilled_v1_AppendResponse>): grpc.ClientUnaryCall;
  append(argument: _distilled_v1_AppendRequest__Input, callback: grpc.requestCallback<_distilled_v1_AppendResponse>): grpc.ClientUnaryCall;
  
  /**
   * Append over one long-lived stream: each AppendRequest carries a request_id, and its answer
   * (in completion order, not request order) carries the same id with either the result or
   * the error that Append would have ended with. Requests are handled concurrently, exactly
   * like concurrent Append calls, without the cost of a gRPC call each (no headers, no new
   * HTTP/2 stream). One stream message may carry several requests, and one answer message
   * several answers (those sent or settled together): framing only, each request is still its
   * own append with its own answer. The API and high-rate clients use it; the stream itself
   * ends only when the replica or the client goes away.
   */
  AppendStream(metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientDuplexStream<_distilled_v1_AppendStreamRequest__Input, _distilled_v1_AppendStreamResponse>;
  AppendStream(options?: grpc.CallOptions): grpc.ClientDuplexStream<_distilled_v1_AppendStreamRequest__Input, _distilled_v1_AppendStreamResponse>;
  /**
   * Append over one long-lived stream: each AppendRequest carries a request_id, and its answer
   * (in completion order, not request order) carries the same id with either the result or
   * the error that Append would have ended with. Requests are handled concurrently, exactly
   * like concurrent Append calls, without the cost of a gRPC call each (no headers, no new
   * HTTP/2 stream). One stream message may carry several requests, and one answer message
   * several answers (those sent or settled together): framing only, each request is still its
   * own append with its own answer. The API and high-rate clients use it; the stream itself
   * ends only when the replica or the client goes away.
   */
  appendStream(metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientDuplexStream<_distilled_v1_AppendStreamRequest__Input, _distilled_v1_AppendStreamResponse>;
  appendStream(options?: grpc.CallOptions): grpc.ClientDuplexStream<_distilled_v1_AppendStreamRequest__Input, _distilled_v1_AppendStreamResponse>;
  
  /**
   * The committed log from `offset` on, live: one FollowResponse per run of messages as this
   * replica's high watermark moves, and an empty one (a heartbeat carrying the high watermark)
   * after a second without news. Sent only as fast as the caller reads (flow control), so a
   * slow caller costs the replica nothing but a paused loop. Ends with UNAVAILABLE repairing
   * when the replica finds its log damaged, and with the replica.
   */
  Follow(argument: _distilled_v1_FollowRequest__Input, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_distilled_v1_FollowResponse>;
  Follow(argument: _distilled_v1_FollowRequest__Input, options?: grpc.CallOptions): grpc.ClientReadableStream<_distilled_v1_FollowResponse>;
  /**
   * The committed log from `offset` on, live: one FollowResponse per run of messages as this
   * replica's high watermark moves, and an empty one (a heartbeat carrying the high watermark)
   * after a second without news. Sent only as fast as the caller reads (flow control), so a
   * slow caller costs the replica nothing but a paused loop. Ends with UNAVAILABLE repairing
   * when the replica finds its log damaged, and with the replica.
   */
  follow(argument: _distilled_v1_FollowRequest__Input, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_distilled_v1_FollowResponse>;
  follow(argument: _distilled_v1_FollowRequest__Input, options?: grpc.CallOptions): grpc.ClientReadableStream<_distilled_v1_FollowResponse>;
  
  /**
   * Reads one committed message. Offsets at or past this replica's high watermark are
   * OUT_OF_RANGE with reason not-committed and the replica's high watermark. A replica whose
   * log lacks committed messages (it is re-fetching them from the leader) answers every read
   * UNAVAILABLE with reason repairing: ask another replica.
   */
  Read(argument: _distilled_v1_ReadRequest__Input, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_distilled_v1_ReadResponse>): grpc.ClientUnaryCall;
  Read(argument: _distilled_v1_ReadRequest__Input, metadata: grpc.Metadata, callback: grpc.requestCallback<_distilled_v1_ReadResponse>): grpc.ClientUnaryCall;
  Read(argument: _distilled_v1_ReadRequest__Input, options: grpc.CallOptions, callback: grpc.requestCallback<_distilled_v1_ReadResponse>): grpc.ClientUnaryCall;
  Read(argument: _distilled_v1_ReadRequest__Input, callback: grpc.requestCallback<_distilled_v1_ReadResponse>): grpc.ClientUnaryCall;
  /**
   * Reads one committed message. Offsets at or past this replica's high watermark are
   * OUT_OF_RANGE with reason not-committed and the replica's high watermark. A replica whose
   * log lacks committed messages (it is re-fetching them from the leader) answers every read
   * UNAVAILABLE with reason repairing: ask another replica.
   */
  read(argument: _distilled_v1_ReadRequest__Input, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_distilled_v1_ReadResponse>): grpc.ClientUnaryCall;
  read(argument: _distilled_v1_ReadRequest__Input, metadata: grpc.Metadata, callback: grpc.requestCallback<_distilled_v1_ReadResponse>): grpc.ClientUnaryCall;
  read(argument: _distilled_v1_ReadRequest__Input, options: grpc.CallOptions, callback: grpc.requestCallback<_distilled_v1_ReadResponse>): grpc.ClientUnaryCall;
  read(argument: _distilled_v1_ReadRequest__Input, callback: grpc.requestCallback<_distilled_v1_ReadResponse>): grpc.ClientUnaryCall;
  
  /**
   * Several committed messages in one call (the API coalesces concurrent GETs into it). Never
   * fails for an offset that is not committed here: found[i] is false for it instead. Refused
   * as a whole (UNAVAILABLE repairing) while the replica repairs its log.
   */
  ReadBatch(argument: _distilled_v1_ReadBatchRequest__Input, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_distilled_v1_ReadBatchResponse>): grpc.ClientUnaryCall;
  ReadBatch(argument: _distilled_v1_ReadBatchRequest__Input, metadata: grpc.Metadata, callback: grpc.requestCallback<_distilled_v1_ReadBatchResponse>): grpc.ClientUnaryCall;
  ReadBatch(argument: _distilled_v1_ReadBatchRequest__Input, options: grpc.CallOptions, callback: grpc.requestCallback<_distilled_v1_ReadBatchResponse>): grpc.ClientUnaryCall;
  ReadBatch(argument: _distilled_v1_ReadBatchRequest__Input, callback: grpc.requestCallback<_distilled_v1_ReadBatchResponse>): grpc.ClientUnaryCall;
  /**
   * Several committed messages in one call (the API coalesces concurrent GETs into it). Never
   * fails for an offset that is not committed here: found[i] is false for it instead. Refused
   * as a whole (UNAVAILABLE repairing) while the replica repairs its log.
   */
  readBatch(argument: _distilled_v1_ReadBatchRequest__Input, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_distilled_v1_ReadBatchResponse>): grpc.ClientUnaryCall;
  readBatch(argument: _distilled_v1_ReadBatchRequest__Input, metadata: grpc.Metadata, callback: grpc.requestCallback<_distilled_v1_ReadBatchResponse>): grpc.ClientUnaryCall;
  readBatch(argument: _distilled_v1_ReadBatchRequest__Input, options: grpc.CallOptions, callback: grpc.requestCallback<_distilled_v1_ReadBatchResponse>): grpc.ClientUnaryCall;
  readBatch(argument: _distilled_v1_ReadBatchRequest__Input, callback: grpc.requestCallback<_distilled_v1_ReadBatchResponse>): grpc.ClientUnaryCall;
  
  /**
   * Committed messages from `offset` on, in order: at most max_count of them and max_bytes of
   * message bytes (always at least one when one is committed at `offset`). Never fails for an
   * offset this replica has not committed: the answer is then empty, with the replica's high
   * watermark and role, and the caller may ask the leader. With wait_ms, an empty answer is
   * held until this replica's high watermark passes `offset` or wait_ms runs out (long-poll).
   * Refused as a whole (UNAVAILABLE repairing) while the replica repairs its log.
   */
  ReadRange(argument: _distilled_v1_ReadRangeRequest__Input, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_distilled_v1_ReadRangeResponse>): grpc.ClientUnaryCall;
  ReadRange(argument: _distilled_v1_ReadRangeRequest__Input, metadata: grpc.Metadata, callback: grpc.requestCallback<_distilled_v1_ReadRangeResponse>): grpc.ClientUnaryCall;
  ReadRange(argument: _distilled_v1_ReadRangeRequest__Input, options: grpc.CallOptions, callback: grpc.requestCallback<_distilled_v1_ReadRangeResponse>): grpc.ClientUnaryCall;
  ReadRange(argument: _distilled_v1_ReadRangeRequest__Input, callback: grpc.requestCallback<_distilled_v1_ReadRangeResponse>): grpc.ClientUnaryCall;
  /**
   * Committed messages from `offset` on, in order: at most max_count of them and max_bytes of
   * message bytes (always at least one when one is committed at `offset`). Never fails for an
   * offset this replica has not committed: the answer is then empty, with the replica's high
   * watermark and role, and the caller may ask the leader. With wait_ms, an empty answer is
   * held until this replica's high watermark passes `offset` or wait_ms runs out (long-poll).
   * Refused as a whole (UNAVAILABLE repairing) while the replica repairs its log.
   */
  readRange(argument: _distilled_v1_ReadRangeRequest__Input, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_distilled_v1_ReadRangeResponse>): grpc.ClientUnaryCall;
  readRange(argument: _distilled_v1_ReadRangeRequest__Input, metadata: grpc.Metadata, callback: grpc.requestCallback<_distilled_v1_ReadRangeResponse>): grpc.ClientUnaryCall;
  readRange(argument: _distilled_v1_ReadRangeRequest__Input, options: grpc.CallOptions, callback: grpc.requestCallback<_distilled_v1_ReadRangeResponse>): grpc.ClientUnaryCall;
  readRange(argument: _distilled_v1_ReadRangeRequest__Input, callback: grpc.requestCallback<_distilled_v1_ReadRangeResponse>): grpc.ClientUnaryCall;
  
  /**
   * ReadRange over one long-lived stream: each request carries a request_id, and its answer (in
   * completion order: a long-poll does not hold up the reads behind it) carries the same id
   * with either the result or the error that ReadRange would have ended with. Each request is
   * handled exactly like a ReadRange call of its own, without the cost of a gRPC call (no
   * headers or trailers, no new HTTP/2 stream, on either side). The API sends its range reads
   * here; the stream ends only when the replica or the client goes away.
   */
  ReadRangeStream(metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientDuplexStream<_distilled_v1_ReadRangeStreamRequest__Input, _distilled_v1_ReadRangeStreamResponse>;
  ReadRangeStream(options?: grpc.CallOptions): grpc.ClientDuplexStream<_distilled_v1_ReadRangeStreamRequest__Input, _distilled_v1_ReadRangeStreamResponse>;
  /**
   * ReadRange over one long-lived stream: each request carries a request_id, and its answer (in
   * completion order: a long-poll does not hold up the reads behind it) carries the same id
   * with either the result or the error that ReadRange would have ended with. Each request is
   * handled exactly like a ReadRange call of its own, without the cost of a gRPC call (no
   * headers or trailers, no new HTTP/2 stream, on either side). The API sends its range reads
   * here; the stream ends only when the replica or the client goes away.
   */
  readRangeStream(metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientDuplexStream<_distilled_v1_ReadRangeStreamRequest__Input, _distilled_v1_ReadRangeStreamResponse>;
  readRangeStream(options?: grpc.CallOptions): grpc.ClientDuplexStream<_distilled_v1_ReadRangeStreamRequest__Input, _distilled_v1_ReadRangeStreamResponse>;
  
  /**
   * What this replica knows: its role, epoch, leader, ISR, log end offset, high watermark.
   */
  Status(argument: _distilled_v1_StatusRequest__Input, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_distilled_v1_StatusResponse>): grpc.ClientUnaryCall;
  Status(argument: _distilled_v1_StatusRequest__Input, metadata: grpc.Metadata, callback: grpc.requestCallback<_distilled_v1_StatusResponse>): grpc.ClientUnaryCall;
  Status(argument: _distilled_v1_StatusRequest__Input, options: grpc.CallOptions, callback: grpc.requestCallback<_distilled_v1_StatusResponse>): grpc.ClientUnaryCall;
  Status(argument: _distilled_v1_StatusRequest__Input, callback: grpc.requestCallback<_distilled_v1_StatusResponse>): grpc.ClientUnaryCall;
  /**
   * What this replica knows: its role, epoch, leader, ISR, log end offset, high watermark.
   */
  status(argument: _distilled_v1_StatusRequest__Input, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_distilled_v1_StatusResponse>): grpc.ClientUnaryCall;
  status(argument: _distilled_v1_StatusRequest__Input, metadata: grpc.Metadata, callback: grpc.requestCallback<_distilled_v1_StatusResponse>): grpc.ClientUnaryCall;
  status(argument: _distilled_v1_StatusRequest__Input, options: grpc.CallOptions, callback: grpc.requestCallback<_distilled_v1_StatusResponse>): grpc.ClientUnaryCall;
  status(argument: _distilled_v1_StatusRequest__Input, callback: grpc.requestCallback<_distilled_v1_StatusResponse>): grpc.ClientUnaryCall;
  
}

/**
 * Calls that clients (the HTTP API, benchmarks, tests) make on any replica.
 */
export interface ReplicaHandlers extends grpc.UntypedServiceImplementation {
  /**
   * Appends a batch of messages on the leader. Answers once the whole batch is committed
   * (high watermark past it, ISR >= min in-sync). A follower answers FAILED_PRECONDITION
   * with reason not-leader. A batch carrying (producer_id, sequence) that the log already
   * holds is answered with its original offsets and not appended again.
   */
  Append: grpc.handleUnaryCall<_distilled_v1_AppendRequest, _distilled_v1_AppendResponse__Input>;
  
  /**
   * Append over one long-lived stream: each AppendRequest carries a request_id, and its answer
   * (in completion order, not request order) carries the same id with either the result or
   * the error that Append would have ended with. Requests are handled concurrently, exactly
   * like concurrent Append calls, without the cost of a gRPC call each (no headers, no new
   * HTTP/2 stream). One stream message may carry several requests, and one answer message
   * several answers (those sent or settled together): framing only, each request is still its
   * own append with its own answer. The API and high-rate clients use it; the stream itself
   * ends only when the replica or the client goes away.
   */
  AppendStream: grpc.handleBidiStreamingCall<_distilled_v1_AppendStreamRequest, _distilled_v1_AppendStreamResponse__Input>;
  
  /**
   * The committed log from `offset` on, live: one FollowResponse per run of messages as this
   * replica's high watermark moves, and an empty one (a heartbeat carrying the high watermark)
   * after a second without news. Sent only as fast as the caller reads (flow control), so a
   * slow caller costs the replica nothing but a paused loop. Ends with UNAVAILABLE repairing
   * when the replica finds its log damaged, and with the replica.
   */
  Follow: grpc.handleServerStreamingCall<_distilled_v1_FollowRequest, _distilled_v1_FollowResponse__Input>;
  
  /**
   * Reads one committed message. Offsets at or past this replica's high watermark are
   * OUT_OF_RANGE with reason not-committed and the replica's high watermark. A replica whose
   * log lacks committed messages (it is re-fetching them from the leader) answers every read
   * UNAVAILABLE with reason repairing: ask another replica.
   */
  Read: grpc.handleUnaryCall<_distilled_v1_ReadRequest, _distilled_v1_ReadResponse__Input>;
  
  /**
   * Several committed messages in one call (the API coalesces concurrent GETs into it). Never
   * fails for an offset that is not committed here: found[i] is false for it instead. Refused
   * as a whole (UNAVAILABLE repairing) while the replica repairs its log.
   */
  ReadBatch: grpc.handleUnaryCall<_distilled_v1_ReadBatchRequest, _distilled_v1_ReadBatchResponse__Input>;
  
  /**
   * Committed messages from `offset` on, in order: at most max_count of them and max_bytes of
   * message bytes (always at least one when one is committed at `offset`). Never fails for an
   * offset this replica has not committed: the answer is then empty, with the replica's high
   * watermark and role, and the caller may ask the leader. With wait_ms, an empty answer is
   * held until this replica's high watermark passes `offset` or wait_ms runs out (long-poll).
   * Refused as a whole (UNAVAILABLE repairing) while the replica repairs its log.
   */
  ReadRange: grpc.handleUnaryCall<_distilled_v1_ReadRangeRequest, _distilled_v1_ReadRangeResponse__Input>;
  
  /**
   * ReadRange over one long-lived stream: each request carries a request_id, and its answer (in
   * completion order: a long-poll does not hold up the reads behind it) carries the same id
   * with either the result or the error that ReadRange would have ended with. Each request is
   * handled exactly like a ReadRange call of its own, without the cost of a gRPC call (no
   * headers or trailers, no new HTTP/2 stream, on either side). The API sends its range reads
   * here; the stream ends only when the replica or the client goes away.
   */
  ReadRangeStream: grpc.handleBidiStreamingCall<_distilled_v1_ReadRangeStreamRequest, _distilled_v1_ReadRangeStreamResponse__Input>;
  
  /**
   * What this replica knows: its role, epoch, leader, ISR, log end offset, high watermark.
   */
  Status: grpc.handleUnaryCall<_distilled_v1_StatusRequest, _distilled_v1_StatusResponse__Input>;
  
}

export interface ReplicaDefinition extends grpc.ServiceDefinition {
  Append: MethodDefinition<_distilled_v1_AppendRequest__Input, _distilled_v1_AppendResponse__Input, _distilled_v1_AppendRequest, _distilled_v1_AppendResponse>
  AppendStream: MethodDefinition<_distilled_v1_AppendStreamRequest__Input, _distilled_v1_AppendStreamResponse__Input, _distilled_v1_AppendStreamRequest, _distilled_v1_AppendStreamResponse>
  Follow: MethodDefinition<_distilled_v1_FollowRequest__Input, _distilled_v1_FollowResponse__Input, _distilled_v1_FollowRequest, _distilled_v1_FollowResponse>
  Read: MethodDefinition<_distilled_v1_ReadRequest__Input, _distilled_v1_ReadResponse__Input, _distilled_v1_ReadRequest, _distilled_v1_ReadResponse>
  ReadBatch: MethodDefinition<_distilled_v1_ReadBatchRequest__Input, _distilled_v1_ReadBatchResponse__Input, _distilled_v1_ReadBatchRequest, _distilled_v1_ReadBatchResponse>
  ReadRange: MethodDefinition<_distilled_v1_ReadRangeRequest__Input, _distilled_v1_ReadRangeResponse__Input, _distilled_v1_ReadRangeRequest, _distilled_v1_ReadRangeResponse>
  ReadRangeStream: MethodDefinition<_distilled_v1_ReadRangeStreamRequest__Input, _distilled_v1_ReadRangeStreamResponse__Input, _distilled_v1_ReadRangeStreamRequest, _distilled_v1_ReadRangeStreamResponse>
  Status: MethodDefinition<_distilled_v1_StatusRequest__Input, _distilled_v1_StatusResponse__Input, _distilled_v1_StatusRequest, _distilled_v1_StatusResponse>
}
