// Original file: libs/proto/src/distilled/v1/distilled.proto

import type { AppendAnswer__Input as _distilled_v1_AppendAnswer__Input, AppendAnswer as _distilled_v1_AppendAnswer } from '../../distilled/v1/AppendAnswer';

export interface AppendStreamResponse__Input {
  'answers'?: (_distilled_v1_AppendAnswer__Input)[];
}

export interface AppendStreamResponse {
  'answers': (_distilled_v1_AppendAnswer)[];
}
