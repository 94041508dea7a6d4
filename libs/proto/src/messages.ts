/**
 * TypeScript shapes of distilled.v1 messages as proto-loader hands them over with
 * PROTO_LOADER_OPTIONS (snake_case names, uint64 as number, bytes as Buffer).
 */
export interface AppendRequest {
  messages: Buffer[];
  producer_id: number;
  sequence: number;
  /** AppendStream only: echoed in its answer. */
  request_id?: number;
}
export interface AppendResponse {
  base_offset: number;
  count: number;
  duplicate: boolean;
}
/** A failed call as gRPC reports it: code, details and trailing metadata (errors.ts keys). */
export interface CallStatus {
  code: number;
  details: string;
  metadata: Record<string, string>;
}
/** One AppendStream message from the client: one or more appends, each with its request_id. */
export interface AppendStreamRequest {
  appends: AppendRequest[];
}
/** One AppendStream answer: `result` or `error`, for the request with `request_id`. */
export interface AppendAnswer {
  request_id: number;
  result?: AppendResponse | null;
  error?: CallStatus | null;
}
/** One AppendStream message from the replica: the answers that settled together. */
export interface AppendStreamResponse {
  answers: AppendAnswer[];
}
export interface ReadRequest {
  offset: number;
}
export interface ReadResponse {
  offset: number;
  message: Buffer;
  high_watermark: number;
}
export interface ReadBatchRequest {
  offsets: number[];
}
export interface ReadBatchResponse {
  messages: Buffer[];
  found: boolean[];
  high_watermark: number;
}
export interface ReadRangeRequest {
  offset: number;
  max_count: number;
  max_bytes: number;
  wait_ms: number;
}
/** messages[i] is at offset + i of the request, all below high_watermark. */
export interface ReadRangeResponse {
  messages: Buffer[];
  high_watermark: number;
  role: string;
}
export interface FollowRequest {
  offset: number;
}
/** messages[i] is at first_offset + i; an empty one is a heartbeat. */
export interface FollowResponse {
  first_offset: number;
  messages: Buffer[];
  high_watermark: number;
}
export type StatusRequest = Record<string, never>;
export type ReplicaRole = 'leader' | 'follower' | 'starting';
export interface StatusResponse {
  id: string;
  address: string;
  role: ReplicaRole;
  epoch: number;
  leader_id: string;
  leader_address: string;
  isr: string[];
  in_sync: boolean;
  log_end_offset: number;
  high_watermark: number;
  problem: string;
}
export interface FetchRequest {
  follower_id: string;
  epoch: number;
  log_end_offset: number;
  /** Set in the first request of a stream; '' in later ones and from older replicas. */
  incarnation?: string;
}
export interface FetchResponse {
  epoch: number;
  high_watermark: number;
  batches: Buffer;
  leader_log_end_offset: number;
}
export interface EndOffsetForEpochRequest {
  epoch: number;
}
export interface EndOffsetForEpochResponse {
  epoch: number;
  end_offset: number;
}
