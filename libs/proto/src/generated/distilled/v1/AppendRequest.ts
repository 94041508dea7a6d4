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
}
