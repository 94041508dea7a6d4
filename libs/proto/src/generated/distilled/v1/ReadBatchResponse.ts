// Original file: libs/proto/src/distilled/v1/distilled.proto

import type { Long } from '@grpc/proto-loader';

/**
 * One entry per requested offset, in request order: messages[i] is the message at offsets[i]
 * when found[i] (committed on this replica, below high_watermark), else empty. The arrays may
 * be shorter than offsets (the answer is capped in bytes): the rest were not looked at.
 */
export interface ReadBatchResponse__Input {
  'messages'?: (Buffer | Uint8Array | string)[];
  'found'?: (boolean)[];
  'high_watermark'?: (number | string | Long);
}

/**
 * One entry per requested offset, in request order: messages[i] is the message at offsets[i]
 * when found[i] (committed on this replica, below high_watermark), else empty. The arrays may
 * be shorter than offsets (the answer is capped in bytes): the rest were not looked at.
 */
export interface ReadBatchResponse {
  'messages': (Buffer)[];
  'found': (boolean)[];
  'high_watermark': (number);
}
