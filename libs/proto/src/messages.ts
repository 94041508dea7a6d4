// The generated distilled.v1 message types (npm run proto:gen), gathered under one import path.
// `Name` is what a peer receives: every field present (defaults), uint64 as number, bytes as
// Buffer. `Name__Input` is what may be sent: fields optional, uint64 also as string or Long.
import type { AppendRequest } from './generated/distilled/v1/AppendRequest';
import type { AppendResponse as AppendResponseMessage } from './generated/distilled/v1/AppendResponse';

export type { AppendAnswer, AppendAnswer__Input } from './generated/distilled/v1/AppendAnswer';
export type { AppendPart, AppendPart__Input } from './generated/distilled/v1/AppendPart';
export type { AppendRequest, AppendRequest__Input } from './generated/distilled/v1/AppendRequest';
export type { AppendResponse__Input } from './generated/distilled/v1/AppendResponse';
export type {
  AppendStreamRequest,
  AppendStreamRequest__Input,
} from './generated/distilled/v1/AppendStreamRequest';
export type {
  AppendStreamResponse,
  AppendStreamResponse__Input,
} from './generated/distilled/v1/AppendStreamResponse';
export type { CallStatus, CallStatus__Input } from './generated/distilled/v1/CallStatus';
export type {
  EndOffsetForEpochRequest,
  EndOffsetForEpochRequest__Input,
} from './generated/distilled/v1/EndOffsetForEpochRequest';
export type {
  EndOffsetForEpochResponse,
  EndOffsetForEpochResponse__Input,
} from './generated/distilled/v1/EndOffsetForEpochResponse';
export type { FetchRequest, FetchRequest__Input } from './generated/distilled/v1/FetchRequest';
export type { FetchResponse, FetchResponse__Input } from './generated/distilled/v1/FetchResponse';
export type {
  ReadBatchRequest,
  ReadBatchRequest__Input,
} from './generated/distilled/v1/ReadBatchRequest';
export type {
  ReadBatchResponse,
  ReadBatchResponse__Input,
} from './generated/distilled/v1/ReadBatchResponse';
export type {
  ReadRangeRequest,
  ReadRangeRequest__Input,
} from './generated/distilled/v1/ReadRangeRequest';
export type {
  ReadRangeResponse,
  ReadRangeResponse__Input,
} from './generated/distilled/v1/ReadRangeResponse';
export type {
  ReadRangeStreamRequest,
  ReadRangeStreamRequest__Input,
} from './generated/distilled/v1/ReadRangeStreamRequest';
export type {
  ReadRangeStreamResponse,
  ReadRangeStreamResponse__Input,
} from './generated/distilled/v1/ReadRangeStreamResponse';
export type { FollowRequest, FollowRequest__Input } from './generated/distilled/v1/FollowRequest';
export type {
  FollowResponse,
  FollowResponse__Input,
} from './generated/distilled/v1/FollowResponse';
export type { ReadRequest, ReadRequest__Input } from './generated/distilled/v1/ReadRequest';
export type { ReadResponse, ReadResponse__Input } from './generated/distilled/v1/ReadResponse';
export type { StatusRequest, StatusRequest__Input } from './generated/distilled/v1/StatusRequest';
export type {
  StatusResponse,
  StatusResponse__Input,
} from './generated/distilled/v1/StatusResponse';

/**
 * An Append as its sender holds it: messages, producer id and sequence, and for a client write
 * its idempotency key and request hash ('' / absent = none) and expected offset (absent =
 * anywhere; unset stays distinct from 0), or several keyed requests as parts. AppendStream adds
 * the request id when it sends it; a unary Append leaves it 0.
 */
export type AppendBatch = Pick<
  AppendRequest,
  'messages' | 'producer_id' | 'sequence' | 'expected_offset'
> &
  Partial<
    Pick<AppendRequest, 'idempotency_key' | 'request_hash' | 'parts' | 'compact_parts_answer'>
  >;

/** StatusResponse.role: what the replica is doing in its current epoch. */
export type ReplicaRole = 'leader' | 'follower' | 'starting';

/** The fields of an Append's answer that only a request with parts gets. */
type PartsAnswerField = 'parts' | 'part_base_offsets' | 'duplicate_parts';

/**
 * An Append's answer. `parts`, or the compact `part_base_offsets` and `duplicate_parts`, are
 * there only for a request with parts; every other answer, and the code that builds one, leaves
 * them out.
 */
export type AppendResponse = Omit<AppendResponseMessage, PartsAnswerField> &
  Partial<Pick<AppendResponseMessage, PartsAnswerField>>;
