import { ApiProperty } from '@nestjs/swagger';
import { MAX_OFFSET } from '../../constants';
import { FIELD_LOCATION, type FieldLocation } from './field-location';
import { integerParamProblem, ValidQueryParam, type IntegerParam } from './integer-param';

const MAX_DIGITS = String(MAX_OFFSET);

/** The offset parameter of every read call (`GET /Data`, `/Data/Range`, `/Data/Stream`). */
export const OFFSET_PARAM: IntegerParam = {
  name: 'offset',
  min: 0,
  max: MAX_OFFSET,
  example: '?offset=0',
  aboveMax: (shown) => `offset ${shown} is above the largest possible offset, ${MAX_DIGITS}.`,
  negative: 'offsets start at 0',
};

/** Why `value` (as the query string parser gave it) is not an offset, or null when it is one. */
export function offsetProblem(value: unknown): string | null {
  return integerParamProblem(OFFSET_PARAM, value);
}

function IsOffset(): PropertyDecorator {
  return ValidQueryParam('isOffset', offsetProblem);
}

export class ReadMessageQueryDto {
  static readonly [FIELD_LOCATION]: FieldLocation = 'query';

  /** Kept as the raw text: it is validated as digits here and converted by the service. */
  @ApiProperty({
    type: 'integer',
    minimum: 0,
    maximum: MAX_OFFSET,
    description: 'The offset to read: plain decimal digits, 0 to 2^53-1.',
    example: 0,
  })
  @IsOffset()
  offset!: string;
}

export class ReadMessageResponseDto {
  @ApiProperty({ description: 'The message as it was written.', example: 'hello, log' })
  message!: string;

  @ApiProperty({ description: 'The offset it was read from.', example: 0 })
  offset!: number;
}
