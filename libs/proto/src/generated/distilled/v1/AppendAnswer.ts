// Original file: libs/proto/src/distilled/v1/distilled.proto

import type { AppendResponse__Input as _distilled_v1_AppendResponse__Input, AppendResponse as _distilled_v1_AppendResponse } from '../../distilled/v1/AppendResponse';
import type { CallStatus__Input as _distilled_v1_CallStatus__Input, CallStatus as _distilled_v1_CallStatus } from '../../distilled/v1/CallStatus';
import type { Long } from '@grpc/proto-loader';

export interface AppendAnswer__Input {
  'request_id'?: (number | string | Long);
  /**
   * Set when the append succeeded (same meaning as Append's answer).
   */
  'result'?: (_distilled_v1_AppendResponse__Input | null);
  /**
   * Set when it failed: the status Append would have ended with.
   */
  'error'?: (_distilled_v1_CallStatus__Input | null);
}

export interface AppendAnswer {
  'request_id': (number);
  /**
   * Set when the append succeeded (same meaning as Append's answer).
   */
  'result': (_distilled_v1_AppendResponse | null);
  /**
   * Set when it failed: the status Append would have ended with.
   */
  'error': (_distilled_v1_CallStatus | null);
}
