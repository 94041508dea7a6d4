// Original file: libs/proto/src/distilled/v1/distilled.proto

import type { AppendPart__Input as _distilled_v1_AppendPart__Input, AppendPart as _distilled_v1_AppendPart } from '../../distilled/v1/AppendPart';
import type { Long } from '@grpc/proto-loader';

export interface AppendRequest__Input {
  'messages'?: (Buffer | Uint8Array | string)[];
  /**
   * Idempotent producer: 0 means "no producer" (no deduplication).
   */
  'producer_id'?: (number | string | Long);
  /**
   * Per-producer batch sequence, strictly increasing across the producer's batches; a retry
   * of the same batch reuses its sequence.
   */
  'sequence'?: (number | string | Long);
  /**
   * AppendStream only: chosen by the client, echoed in the answer.
   */
  'request_id'?: (number | string | Long);
  /**
   * The client request's Idempotency-Key (1..255 visible ASCII); empty = none. A keyed batch
   * is never merged with other appends: it is one record batch, with the key and request_hash
   * in its extension section. The leader answers a key it holds (committed, same hash) with
   * the original offsets and duplicate = true; a key still in flight fails ABORTED
   * (key-in-flight), a key held with another hash FAILED_PRECONDITION (key-mismatch).
   */
  'idempotency_key'?: (string);
  /**
   * A hash of the client request (the API hashes route and messages); up to 64 bytes.
   */
  'request_hash'?: (Buffer | Uint8Array | string);
  /**
   * Append only if the batch's first offset would be this one, decided by the leader in its
   * append order; otherwise FAILED_PRECONDITION (offset-mismatch) with the next offset in
   * distilled-log-end-offset, and nothing is stored.
   */
  'expected_offset'?: (number | string | Long);
  /**
   * Several keyed client requests in one append: `messages` holds every part's messages in
   * order, parts[i] names how many of them are part i's, with its key and hash. The leader
   * decides each part alone, in order, exactly as an append of its own carrying that
   * idempotency_key and request_hash, and answers it in AppendResponse.parts[i]: the parts it
   * accepts share its group commit. Only without producer_id, idempotency_key and
   * expected_offset. A replica that takes parts says so in the response headers of its
   * AppendStream (APPEND_PARTS_HEADER in libs/proto); clients send parts only on such a stream,
   * since a replica that predates parts would store the messages without their keys.
   */
  'parts'?: (_distilled_v1_AppendPart__Input)[];
  /**
   * With parts: the client reads the compact answer (AppendResponse.part_base_offsets). A
   * replica that predates it ignores this and answers in AppendResponse.parts, which such a
   * client reads too; a client that predates it never sets it and gets AppendResponse.parts.
   */
  'compact_parts_answer'?: (boolean);
  '_expected_offset'?: "expected_offset";
}

export interface AppendRequest {
  'messages': (Buffer)[];
  /**
   * Idempotent producer: 0 means "no producer" (no deduplication).
   */
  'producer_id': (number);
  /**
   * Per-producer batch sequence, strictly increasing across the producer's batches; a retry
   * of the same batch reuses its sequence.
   */
  'sequence': (number);
  /**
   * AppendStream only: chosen by the client, echoed in the answer.
   */
  'request_id': (number);
  /**
   * The client request's Idempotency-Key (1..255 visible ASCII); empty = none. A keyed batch
   * is never merged with other appends: it is one record batch, with the key and request_hash
   * in its extension section. The leader answers a key it holds (committed, same hash) with
   * the original offsets and duplicate = true; a key still in flight fails ABORTED
   * (key-in-flight), a key held with another hash FAILED_PRECONDITION (key-mismatch).
   */
  'idempotency_key': (string);
  /**
   * A hash of the client request (the API hashes route and messages); up to 64 bytes.
   */
  'request_hash': (Buffer);
  /**
   * Append only if the batch's first offset would be this one, decided by the leader in its
   * append order; otherwise FAILED_PRECONDITION (offset-mismatch) with the next offset in
   * distilled-log-end-offset, and nothing is stored.
   */
  'expected_offset'?: (number);
  /**
   * Several keyed client requests in one append: `messages` holds every part's messages in
   * order, parts[i] names how many of them are part i's, with its key and hash. The leader
   * decides each part alone, in order, exactly as an append of its own carrying that
   * idempotency_key and request_hash, and answers it in AppendResponse.parts[i]: the parts it
   * accepts share its group commit. Only without producer_id, idempotency_key and
   * expected_offset. A replica that takes parts says so in the response headers of its
   * AppendStream (APPEND_PARTS_HEADER in libs/proto); clients send parts only on such a stream,
   * since a replica that predates parts would store the messages without their keys.
   */
  'parts': (_distilled_v1_AppendPart)[];
  /**
   * With parts: the client reads the compact answer (AppendResponse.part_base_offsets). A
   * replica that predates it ignores this and answers in AppendResponse.parts, which such a
   * client reads too; a client that predates it never sets it and gets AppendResponse.parts.
   */
  'compact_parts_answer': (boolean);
  '_expected_offset'?: "expected_offset";
}
