// Original file: libs/proto/src/distilled/v1/distilled.proto

import type { Long } from '@grpc/proto-loader';

export interface StatusResponse__Input {
  'id'?: (string);
  'address'?: (string);
  /**
   * "leader", "follower" or "starting"
   */
  'role'?: (string);
  'epoch'?: (number | string | Long);
  'leader_id'?: (string);
  'leader_address'?: (string);
  'isr'?: (string)[];
  'in_sync'?: (boolean);
  'log_end_offset'?: (number | string | Long);
  'high_watermark'?: (number | string | Long);
  /**
   * Set when the replica refuses to serve (e.g. corruption below the high watermark).
   */
  'problem'?: (string);
}

export interface StatusResponse {
  'id': (string);
  'address': (string);
  /**
   * "leader", "follower" or "starting"
   */
  'role': (string);
  'epoch': (number);
  'leader_id': (string);
  'leader_address': (string);
  'isr': (string)[];
  'in_sync': (boolean);
  'log_end_offset': (number);
  'high_watermark': (number);
  /**
   * Set when the replica refuses to serve (e.g. corruption below the high watermark).
   */
  'problem': (string);
}
