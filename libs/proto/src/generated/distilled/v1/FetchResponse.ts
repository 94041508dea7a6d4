// Original file: libs/proto/src/distilled/v1/distilled.proto

import type { Long } from '@grpc/proto-loader';

export interface FetchResponse__Input {
  'epoch'?: (number | string | Long);
  'high_watermark'?: (number | string | Long);
  /**
   * Zero or more whole record batches, byte for byte as the leader stores them
   * (libs/log-store record-batch layout), starting at the follower's requested offset.
   */
  'batches'?: (Buffer | Uint8Array | string);
  'leader_log_end_offset'?: (number | string | Long);
  /**
   * The leader's log start (retention): followers delete below it, or re-base there when their
   * log ends below it.
   */
  'log_start_offset'?: (number | string | Long);
  /**
   * No batches, and the request this answers still stands (only to a follower that accepts
   * kept requests): the leader sends the batches from the same offset when they exist, so the
   * follower does not ask again. Saves a request per high-watermark move per follower.
   */
  'request_kept'?: (boolean);
}

export interface FetchResponse {
  'epoch': (number);
  'high_watermark': (number);
  /**
   * Zero or more whole record batches, byte for byte as the leader stores them
   * (libs/log-store record-batch layout), starting at the follower's requested offset.
   */
  'batches': (Buffer);
  'leader_log_end_offset': (number);
  /**
   * The leader's log start (retention): followers delete below it, or re-base there when their
   * log ends below it.
   */
  'log_start_offset': (number);
  /**
   * No batches, and the request this answers still stands (only to a follower that accepts
   * kept requests): the leader sends the batches from the same offset when they exist, so the
   * follower does not ask again. Saves a request per high-watermark move per follower.
   */
  'request_kept': (boolean);
}
