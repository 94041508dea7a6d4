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
  /**
   * The follower understands FetchResponse.request_kept (in the first request of a stream): the
   * leader may then answer news without batches (a new high watermark or log start) while
   * keeping the request open, and the follower does not ask again after such an answer.
   */
  'accepts_kept_requests'?: (boolean);
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
  /**
   * The follower understands FetchResponse.request_kept (in the first request of a stream): the
   * leader may then answer news without batches (a new high watermark or log start) while
   * keeping the request open, and the follower does not ask again after such an answer.
   */
  'accepts_kept_requests': (boolean);
}
