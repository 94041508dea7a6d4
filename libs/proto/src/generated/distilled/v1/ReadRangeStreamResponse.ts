// Original file: libs/proto/src/distilled/v1/distilled.proto

import type { ReadRangeResponse__Input as _distilled_v1_ReadRangeResponse__Input, ReadRangeResponse as _distilled_v1_ReadRangeResponse } from '../../distilled/v1/ReadRangeResponse';
import type { CallStatus__Input as _distilled_v1_CallStatus__Input, CallStatus as _distilled_v1_CallStatus } from '../../distilled/v1/CallStatus';
import type { Long } from '@grpc/proto-loader';

export interface ReadRangeStreamResponse__Input {
  'request_id'?: (number | string | Long);
  /**
   * Set when the read succeeded (same meaning as ReadRange's answer).
   */
  'result'?: (_distilled_v1_ReadRangeResponse__Input | null);
  /**
   * Set when it failed: the status ReadRange would have ended with.
   */
  'error'?: (_distilled_v1_CallStatus__Input | null);
}

export interface ReadRangeStreamResponse {
  'request_id': (number);
  /**
   * Set when the read succeeded (same meaning as ReadRange's answer).
   */
  'result': (_distilled_v1_ReadRangeResponse | null);
  /**
   * Set when it failed: the status ReadRange would have ended with.
   */
  'error': (_distilled_v1_CallStatus | null);
}
