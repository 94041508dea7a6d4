// Original file: libs/proto/src/distilled/v1/distilled.proto

import type { AppendAnswer__Input as _distilled_v1_AppendAnswer__Input, AppendAnswer as _distilled_v1_AppendAnswer } from '../../distilled/v1/AppendAnswer';
import type { Long } from '@grpc/proto-loader';

export interface AppendResponse__Input {
  'base_offset'?: (number | string | Long);
  'count'?: (number);
  /**
   * True when the batch was already in the log and this answer repeats its first offsets.
   */
  'duplicate'?: (boolean);
  /**
   * For a request with parts, one answer per part in the same order (request_id = the part's
   * index); the fields above are then unset.
   */
  'parts'?: (_distilled_v1_AppendAnswer__Input)[];
}

export interface AppendResponse {
  'base_offset': (number);
  'count': (number);
  /**
   * True when the batch was already in the log and this answer repeats its first offsets.
   */
  'duplicate': (boolean);
  /**
   * For a request with parts, one answer per part in the same order (request_id = the part's
   * index); the fields above are then unset.
   */
  'parts': (_distilled_v1_AppendAnswer)[];
}
