// Original file: libs/proto/src/distilled/v1/distilled.proto

import type { Long } from '@grpc/proto-loader';

export interface ReadBatchRequest__Input {
  'offsets'?: (number | string | Long)[];
}

export interface ReadBatchRequest {
  'offsets': (number)[];
}
