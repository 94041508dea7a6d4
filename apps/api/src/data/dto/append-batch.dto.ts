import { ApiProperty } from '@nestjs/swagger';
import { registerDecorator } from 'class-validator';
import { MAX_BATCH_REQUEST_MESSAGES } from '../../constants';
import { FIELD_LOCATION, type FieldLocation } from './field-location';

/**
 * Why `value` is not a list of messages at all, or null when it is an array. Its elements are
 * checked one by one by checkBatchMessages, which names the first bad one as `messages[i]`.
 */
export function messageListProblem(value: unknown): string | null {
  if (value === undefined) return 'messages is required: send {"messages": ["a", "b"]}.';
  if (!Array.isArray(value)) {
    return `messages must be an array of strings, not ${value === null ? 'null' : typeof value}.`;
  }
  return null;
}

function IsMessageList(): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name: 'isMessageList',
      target: target.constructor,
      propertyName: String(propertyName),
      validator: {
        validate: (value: unknown) => messageListProblem(value) === null,
        defaultMessage: (args) => messageListProblem(args?.value) ?? '',
      },
    });
}

export class AppendBatchDto {
  static readonly [FIELD_LOCATION]: FieldLocation = 'body';

  @ApiProperty({
    type: [String],
    minItems: 1,
    maxItems: MAX_BATCH_REQUEST_MESSAGES,
    description: `1 to ${MAX_BATCH_REQUEST_MESSAGES} messages, each a JSON string (empty allowed) within DISTILLED_MAX_MESSAGE_BYTES, all together within DISTILLED_MAX_BATCH_BYTES (default 16 MiB) of UTF-8. Stored atomically at contiguous offsets, in this order.`,
    example: ['first', 'second', '{"event":"login"}'],
  })
  @IsMessageList()
  messages!: string[];
}

export class AppendBatchResponseDto {
  @ApiProperty({ description: 'The offset of the first message of the batch.', example: 42 })
  firstOffset!: number;

  @ApiProperty({
    description: 'How many messages were stored: they sit at firstOffset .. firstOffset+count-1.',
    example: 3,
  })
  count!: number;
}
