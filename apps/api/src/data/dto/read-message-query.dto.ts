import { ApiProperty } from '@nestjs/swagger';
import { registerDecorator, type ValidationArguments } from 'class-validator';
import { MAX_OFFSET } from '../../constants';
import { FIELD_LOCATION, type FieldLocation } from './field-location';

const MAX_DIGITS = String(MAX_OFFSET);

/** Why `value` (as the query string parser gave it) is not an offset, or null when it is one. */
export function offsetProblem(value: unknown): string | null {
  const how = `write it as plain decimal digits from 0 to ${MAX_DIGITS}, such as ?offset=0`;
  if (value === undefined) return `offset is required: ${how}.`;
  if (Array.isArray(value)) return `offset was given ${value.length} times; give it once.`;
  if (typeof value !== 'string') return `offset is not a number; ${how}.`;
  const shown = JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (value === '') return `offset is empty; ${how}.`;
  if (/^\d+$/.test(value)) {
    const digits = value.replace(/^0+(?=\d)/, '');
    if (
      digits.length > MAX_DIGITS.length ||
      (digits.length === MAX_DIGITS.length && digits > MAX_DIGITS)
    ) {
      return `offset ${shown} is above the largest possible offset, ${MAX_DIGITS}.`;
    }
    return null;
  }
  if (/^-\d+(\.\d*)?$/.test(value)) return `offset ${shown} is negative; offsets start at 0.`;
  if (/^[+-]?(\d+\.\d*|\.\d+)$/.test(value)) {
    return `offset ${shown} is not a whole number; ${how}.`;
  }
  if (/^[+-]?(\d+\.?\d*|\.\d+)e[+-]?\d+$/i.test(value)) {
    return `offset ${shown} uses exponent notation; ${how}.`;
  }
  if (/^\+\d+$/.test(value)) return `offset ${shown} has a sign; ${how}.`;
  // An unescaped "+" in a query string means a space, so "?offset=+0" arrives as " 0".
  if (/^ +\d+$/.test(value)) {
    return `offset ${shown} starts with a space or a "+" sign (a "+" in a query string is a space); ${how}.`;
  }
  if (/^[+-]?0[xob]/i.test(value)) return `offset ${shown} is not decimal; ${how}.`;
  if (/^\s|\s$/.test(value)) return `offset ${shown} has spaces around it; ${how}.`;
  return `offset ${shown} is not a number; ${how}.`;
}

function IsOffset(): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name: 'isOffset',
      target: target.constructor,
      propertyName: String(propertyName),
      validator: {
        validate: (value: unknown) => offsetProblem(value) === null,
        defaultMessage: (args?: ValidationArguments) => offsetProblem(args?.value) ?? '',
      },
    });
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
