import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional } from 'class-validator';
import { FIELD_LOCATION, type FieldLocation } from '../../data/dto/field-location';
import { integerParamProblem, ValidQueryParam } from '../../data/dto/integer-param';
import { OFFSET_PARAM } from '../../data/dto/read-message-query.dto';

/** `offset` of GET /Data/Stream: an offset, or `end` (the next message committed). */
export function streamOffsetProblem(value: unknown): string | null {
  if (value === 'end') return null;
  const problem = integerParamProblem(
    { ...OFFSET_PARAM, example: '?offset=0 or ?offset=end' },
    value,
  );
  return problem;
}

export class StreamQueryDto {
  static readonly [FIELD_LOCATION]: FieldLocation = 'query';

  @ApiPropertyOptional({
    type: 'string',
    pattern: '^(\\d+|end)$',
    description:
      'Where to start: an offset (plain decimal digits), or `end` for the next message committed. Required unless the request carries `Last-Event-ID`, which wins over it.',
    example: '0',
  })
  @IsOptional()
  @ValidQueryParam('isStreamOffset', streamOffsetProblem)
  offset?: string;
}
