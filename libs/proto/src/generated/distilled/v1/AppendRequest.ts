// Original file: libs/proto/src/distilled/v1/distilled.proto

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
  '_expected_offset'?: "expected_offset";
}
