// Original file: libs/proto/src/distilled/v1/distilled.proto

import type { AppendRequest__Input as _distilled_v1_AppendRequest__Input, AppendRequest as _distilled_v1_AppendRequest } from '../../distilled/v1/AppendRequest';

export interface AppendStreamRequest__Input {
  'appends'?: (_distilled_v1_AppendRequest__Input)[];
}

export interface AppendStreamRequest {
  'appends': (_distilled_v1_AppendRequest)[];
}
