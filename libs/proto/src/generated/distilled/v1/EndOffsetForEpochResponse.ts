// Original file: libs/proto/src/distilled/v1/distilled.proto

import type { Long } from '@grpc/proto-loader';

export interface EndOffsetForEpochResponse__Input {
  /**
   * The largest epoch <= the requested one that the leader's log knows, and its end offset.
   */
  'epoch'?: (number | string | Long);
  'end_offset'?: (number | string | Long);
  /**
   * The leader's log start (retention) when it answered: a follower's cut below it lost
   * nothing committed that the leader still serves.
   */
  'log_start_offset'?: (number | string | Long);
}

export interface EndOffsetForEpochResponse {
  /**
   * The largest epoch <= the requested one that the leader's log knows, and its end offset.
   */
  'epoch': (number);
  'end_offset': (number);
  /**
   * The leader's log start (retention) when it answered: a follower's cut below it lost
   * nothing committed that the leader still serves.
   */
  'log_start_offset': (number);
}
