// Original file: libs/proto/src/distilled/v1/distilled.proto

import type { ReadRangeRequest__Input as _distilled_v1_ReadRangeRequest__Input, ReadRangeRequest as _distilled_v1_ReadRangeRequest } from '../../distilled/v1/ReadRangeRequest';
import type { Long } from '@grpc/proto-loader';

export interface ReadRangeStreamRequest__Input {
  'request_id'?: (number | string | Long);
  'range'?: (_distilled_v1_ReadRangeRequest__Input | null);
}

export interface ReadRangeStreamRequest {
  'request_id': (number);
  'range': (_distilled_v1_ReadRangeRequest | null);
}
