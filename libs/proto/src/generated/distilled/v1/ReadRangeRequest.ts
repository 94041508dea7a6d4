// Original file: libs/proto/src/distilled/v1/distilled.proto

import type { Long } from '@grpc/proto-loader';

export interface ReadRangeRequest__Input {
  'offset'?: (number | string | Long);
  /**
   * 1..10000
   */
  'max_count'?: (number);
  /**
   * 1..16777216: the answer stops before a message that would pass it (but holds at least one)
   */
  'max_bytes'?: (number);
  /**
   * 0..60000: how long to hold an empty answer for a message to be committed at `offset`
   */
  'wait_ms'?: (number);
}

export interface ReadRangeRequest {
  'offset': (number);
  /**
   * 1..10000
   */
  'max_count': (number);
  /**
   * 1..16777216: the answer stops before a message that would pass it (but holds at least one)
   */
  'max_bytes': (number);
  /**
   * 0..60000: how long to hold an empty answer for a message to be committed at `offset`
   */
  'wait_ms': (number);
}
