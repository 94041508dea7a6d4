import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional } from 'class-validator';
import {
  MAX_OFFSET,
  RANGE_DEFAULT_LIMIT,
  RANGE_DEFAULT_MAX_BYTES,
  RANGE_MAX_BYTES,
  RANGE_MAX_LIMIT,
  RANGE_MAX_WAIT_SECONDS,
} from '../../constants';
import { FIELD_LOCATION, type FieldLocation } from '../../data/dto/field-location';
import {
  integerParamProblem,
  ValidQueryParam,
  type IntegerParam,
} from '../../data/dto/integer-param';
import { offsetProblem } from '../../data/dto/read-message-query.dto';

export const LIMIT_PARAM: IntegerParam = {
  name: 'limit',
  min: 1,
  max: RANGE_MAX_LIMIT,
  example: '?limit=100',
};
export const MAX_BYTES_PARAM: IntegerParam = {
  name: 'maxBytes',
  min: 1,
  max: RANGE_MAX_BYTES,
  example: '?maxBytes=1048576',
};
export const WAIT_PARAM: IntegerParam = {
  name: 'wait',
  min: 1,
  max: RANGE_MAX_WAIT_SECONDS,
  example: '?wait=30 (seconds)',
};

const RANGE_QUERY_PROBLEMS: Record<string, (value: unknown) => string | null> = {
  offset: offsetProblem,
  limit: (value) => integerParamProblem(LIMIT_PARAM, value),
  maxBytes: (value) => integerParamProblem(MAX_BYTES_PARAM, value),
  wait: (value) => integerParamProblem(WAIT_PARAM, value),
};

/** The check of one of GET /Data/Range's query parameters, or undefined when `name` is not one. */
export function rangeQueryProblem(name: string): ((value: unknown) => string | null) | undefined {
  return Object.hasOwn(RANGE_QUERY_PROBLEMS, name) ? RANGE_QUERY_PROBLEMS[name] : undefined;
}

/** GET /Data/Range's query. Values stay the raw text, checked as digits, converted by the service. */
export class RangeQueryDto {
  static readonly [FIELD_LOCATION]: FieldLocation = 'query';

  @ApiProperty({
    type: 'integer',
    minimum: 0,
    maximum: MAX_OFFSET,
    description: 'The first offset to read: plain decimal digits, 0 to 2^53-1.',
    example: 0,
  })
  @ValidQueryParam('isOffset', offsetProblem)
  offset!: string;

  @ApiPropertyOptional({
    type: 'integer',
    minimum: 1,
    maximum: RANGE_MAX_LIMIT,
    default: RANGE_DEFAULT_LIMIT,
    description: 'At most this many messages.',
  })
  @IsOptional()
  @ValidQueryParam('isLimit', RANGE_QUERY_PROBLEMS.limit)
  limit?: string;

  @ApiPropertyOptional({
    type: 'integer',
    minimum: 1,
    maximum: RANGE_MAX_BYTES,
    default: RANGE_DEFAULT_MAX_BYTES,
    description:
      'At most this many bytes of messages (UTF-8): the answer stops before a message that would pass it, but always holds at least one message when one is committed at `offset`.',
  })
  @IsOptional()
  @ValidQueryParam('isMaxBytes', RANGE_QUERY_PROBLEMS.maxBytes)
  maxBytes?: string;

  @ApiPropertyOptional({
    type: 'integer',
    minimum: 1,
    maximum: RANGE_MAX_WAIT_SECONDS,
    description:
      'Long-poll: when nothing is committed at `offset` yet, hold the request up to this many seconds and answer as soon as a message is (within ~50 ms of its commit).',
  })
  @IsOptional()
  @ValidQueryParam('isWait', RANGE_QUERY_PROBLEMS.wait)
  wait?: string;
}

export class RangeMessageDto {
  @ApiProperty({ example: 0 })
  offset!: number;

  @ApiProperty({ example: 'hello, log' })
  message!: string;
}

export class RangeResponseDto {
  @ApiProperty({
    type: [RangeMessageDto],
    description: 'Committed messages from `offset` on, in order, without gaps.',
  })
  messages!: RangeMessageDto[];

  @ApiProperty({
    description:
      'The offset after the last message returned (`offset` when none): the next page starts here.',
    example: 1,
  })
  nextOffset!: number;

  @ApiProperty({
    description: 'The committed end of the log as the answering replica knew it.',
    example: 1,
  })
  endOffset!: number;
}
