// Original file: libs/proto/src/distilled/v1/distilled.proto

import type { Long } from '@grpc/proto-loader';

export interface ReadRequest__Input {
  'offset'?: (number | string | Long);
}

export interface ReadRequest {
  'offset': (number);
}
