// Original file: libs/proto/src/distilled/v1/distilled.proto

import type { Long } from '@grpc/proto-loader';

/**
 * messages[i] is the committed message at first_offset + i; first_offset is always where the
 * previous response of the stream ended (the request's offset for the first one).
 */
export interface FollowResponse__Input {
  'first_offset'?: (number | string | Long);
  'messages'?: (Buffer | Uint8Array | string)[];
  'high_watermark'?: (number | string | Long);
}

/**
 * messages[i] is the committed message at first_offset + i; first_offset is always where the
 * previous response of the stream ended (the request's offset for the first one).
 */
export interface FollowResponse {
  'first_offset': (number);
  'messages': (Buffer)[];
  'high_watermark': (number);
}
