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
  /**
   * First offset this replica still serves (retention); 0 when nothing was deleted.
   */
  'log_start_offset'?: (number | string | Long);
  /**
   * Bytes of the replica's segment .log files, and segments retention deleted since it started.
   */
  'log_size_bytes'?: (number | string | Long);
  'segments_deleted'?: (number | string | Long);
  /**
   * Set while the replica's disk refuses its log writes (ENOSPC, EDQUOT): it takes no appends,
   * does not stand for leader, and probes until space comes back.
   */
  'disk_full'?: (boolean);
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
  /**
   * First offset this replica still serves (retention); 0 when nothing was deleted.
   */
  'log_start_offset': (number);
  /**
   * Bytes of the replica's segment .log files, and segments retention deleted since it started.
   */
  'log_size_bytes': (number);
  'segments_deleted': (number);
  /**
   * Set while the replica's disk refuses its log writes (ENOSPC, EDQUOT): it takes no appends,
   * does not stand for leader, and probes until space comes back.
   */
  'disk_full': (boolean);
}
