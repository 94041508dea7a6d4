import { ApiProperty } from '@nestjs/swagger';
import { registerDecorator, type ValidationArguments } from 'class-validator';
import { FIELD_LOCATION, type FieldLocation } from './field-location';

/** A UTF-16 surrogate without its partner: JSON can carry it, UTF-8 cannot. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Why `value` is not a storable message, or null when it is one. */
export function messageProblem(value: unknown): string | null {
  if (value === undefined) return 'message is required: send {"message": "<text>"}.';
  if (value === null) return 'message is null; it must be a string (an empty string is allowed).';
  if (typeof value !== 'string') return `message must be a string, not ${describe(value)}.`;
  if (LONE_SURROGATE.test(value)) {
    return 'message contains an unpaired UTF-16 surrogate escape (such as "\\ud800" alone), which has no UTF-8 form and so cannot be stored; send well-formed Unicode.';
  }
  return null;
}

function describe(value: unknown): string {
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'number') return 'a number';
  if (typeof value === 'boolean') return 'a boolean';
  return typeof value;
}

function IsMessage(): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name: 'isMessage',
      target: target.constructor,
      propertyName: String(propertyName),
      validator: {
        validate: (value: unknown) => messageProblem(value) === null,
        defaultMessage: (args?: ValidationArguments) => messageProblem(args?.value) ?? '',
      },
    });
}

export class AppendMessageDto {
  static readonly [FIELD_LOCATION]: FieldLocation = 'body';

  @ApiProperty({
    description:
      'Any JSON string, empty allowed, up to DISTILLED_MAX_MESSAGE_BYTES (default 1 MiB) of UTF-8.',
    example: 'hello, log',
  })
  @IsMessage()
  message!: string;
}

export class AppendMessageResponseDto {
  @ApiProperty({
    description: 'The offset the message was committed at. Offsets start at 0 and are contiguous.',
    example: 0,
  })
  offset!: number;
}
