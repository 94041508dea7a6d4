// Original file: libs/proto/src/distilled/v1/distilled.proto

import type { Long } from '@grpc/proto-loader';

export interface EndOffsetForEpochRequest__Input {
  'epoch'?: (number | string | Long);
}

export interface EndOffsetForEpochRequest {
  'epoch': (number);
}
