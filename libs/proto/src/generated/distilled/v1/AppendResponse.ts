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
  /**
   * For a request with parts and compact_parts_answer, when every part succeeded, instead of
   * `parts` (one AppendAnswer and AppendResponse per part, two nested messages each): part i's
   * base_offset, in part order; its count is parts[i].count of the request; duplicate_parts
   * lists the indexes of the parts answered with duplicate = true, ascending. When a part
   * failed, the answer is `parts` as without compact_parts_answer.
   */
  'part_base_offsets'?: (number | string | Long)[];
  'duplicate_parts'?: (number)[];
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
  /**
   * For a request with parts and compact_parts_answer, when every part succeeded, instead of
   * `parts` (one AppendAnswer and AppendResponse per part, two nested messages each): part i's
   * base_offset, in part order; its count is parts[i].count of the request; duplicate_parts
   * lists the indexes of the parts answered with duplicate = true, ascending. When a part
   * failed, the answer is `parts` as without compact_parts_answer.
   */
  'part_base_offsets': (number)[];
  'duplicate_parts': (number)[];
}
