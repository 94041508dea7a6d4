// Original file: libs/proto/src/distilled/v1/distilled.proto

import type { Long } from '@grpc/proto-loader';

export interface ReadResponse__Input {
  'offset'?: (number | string | Long);
  'message'?: (Buffer | Uint8Array | string);
  'high_watermark'?: (number | string | Long);
}

export interface ReadResponse {
  'offset': (number);
  'message': (Buffer);
  'high_watermark': (number);
}
