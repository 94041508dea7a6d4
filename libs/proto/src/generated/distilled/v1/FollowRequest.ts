// Original file: libs/proto/src/distilled/v1/distilled.proto

import type { Long } from '@grpc/proto-loader';

export interface FollowRequest__Input {
  'offset'?: (number | string | Long);
}

export interface FollowRequest {
  'offset': (number);
}
