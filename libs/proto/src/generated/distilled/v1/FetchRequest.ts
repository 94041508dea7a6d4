// Original file: libs/proto/src/distilled/v1/distilled.proto

import type { Long } from '@grpc/proto-loader';

export interface FetchRequest__Input {
  'follower_id'?: (string);
  /**
   * The epoch the follower believes is current; the leader rejects a stale or future one.
   */
  'epoch'?: (number | string | Long);
  /**
   * The follower's log end offset: where to stream from, and its acknowledgement.
   */
  'log_end_offset'?: (number | string | Long);
  /**
   * The follower's data-directory incarnation (libs/log-store incarnation file), in the first
   * request of a stream (later ones may leave it empty). The leader records it in the ISR, and
   * drops a member whose incarnation is not the recorded one: its directory was wiped or
   * replaced. Empty from a replica that predates incarnations.
   */
  'incarnation'?: (string);
}

export interface FetchRequest {
  'follower_id': (string);
  /**
   * The epoch the follower believes is current; the leader rejects a stale or future one.
   */
  'epoch': (number);
  /**
   * The follower's log end offset: where to stream from, and its acknowledgement.
   */
  'log_end_offset': (number);
  /**
   * The follower's data-directory incarnation (libs/log-store incarnation file), in the first
   * request of a stream (later ones may leave it empty). The leader records it in the ISR, and
   * drops a member whose incarnation is not the recorded one: its directory was wiped or
   * replaced. Empty from a replica that predates incarnations.
   */
  'incarnation': (string);
}
