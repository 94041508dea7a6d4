// Original file: libs/proto/src/distilled/v1/distilled.proto

import type { Long } from '@grpc/proto-loader';

export interface AppendResponse__Input {
  'base_offset'?: (number | string | Long);
  'count'?: (number);
  /**
   * True when the batch was already in the log and this answer repeats its first offsets.
   */
  'duplicate'?: (boolean);
}

export interface AppendResponse {
  'base_offset': (number);
  'count': (number);
  /**
   * True when the batch was already in the log and this answer repeats its first offsets.
   */
  'duplicate': (boolean);
}
