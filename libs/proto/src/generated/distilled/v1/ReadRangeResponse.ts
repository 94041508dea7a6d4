// Original file: libs/proto/src/distilled/v1/distilled.proto

import type { Long } from '@grpc/proto-loader';

/**
 * messages[i] is the message at offset + i; all below high_watermark.
 */
export interface ReadRangeResponse__Input {
  'messages'?: (Buffer | Uint8Array | string)[];
  /**
   * This replica's high watermark when it answered: the committed end it knows.
   */
  'high_watermark'?: (number | string | Long);
  /**
   * "leader", "follower" or "starting": only an acting leader's empty answer means the log
   * really ends at high_watermark; a follower's may just be behind.
   */
  'role'?: (string);
  /**
   * This replica's log start when it answered (retention deleted everything below it): lets a
   * caller that holds pages it read earlier refuse the ones retention has since passed. 0 from
   * a replica that predates the field (and from one that never deleted anything).
   */
  'log_start_offset'?: (number | string | Long);
}

/**
 * messages[i] is the message at offset + i; all below high_watermark.
 */
export interface ReadRangeResponse {
  'messages': (Buffer)[];
  /**
   * This replica's high watermark when it answered: the committed end it knows.
   */
  'high_watermark': (number);
  /**
   * "leader", "follower" or "starting": only an acting leader's empty answer means the log
   * really ends at high_watermark; a follower's may just be behind.
   */
  'role': (string);
  /**
   * This replica's log start when it answered (retention deleted everything below it): lets a
   * caller that holds pages it read earlier refuse the ones retention has since passed. 0 from
   * a replica that predates the field (and from one that never deleted anything).
   */
  'log_start_offset': (number);
}
