import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import type { FieldProblem, ProblemDetails } from './problem-details';

export class FieldProblemDto implements FieldProblem {
  @ApiProperty({ example: 'message' })
  field!: string;

  @ApiProperty({ enum: ['body', 'query', 'header'], example: 'body' })
  in!: 'body' | 'query' | 'header';

  @ApiProperty({ example: 'message must be a string, not a number.' })
  detail!: string;
}

/** The OpenAPI schema of every error answer (RFC 9457 problem details). */
export class ProblemDto implements ProblemDetails {
  @ApiProperty({
    description: 'A URI that identifies the kind of problem; stable, safe to switch on.',
    example: 'urn:distilled:problem:invalid-request',
  })
  type!: string;

  @ApiProperty({ description: 'Short summary of the kind of problem.', example: 'Invalid request' })
  title!: string;

  @ApiProperty({ description: 'The HTTP status code.', example: 400 })
  status!: number;

  @ApiProperty({
    description: 'What happened to this request and what to do about it.',
    example: 'message must be a string, not a number.',
  })
  detail!: string;

  @ApiPropertyOptional({
    type: [FieldProblemDto],
    description: '400: one entry per invalid field.',
  })
  errors?: FieldProblemDto[];

  @ApiPropertyOptional({
    description:
      '404 for an offset: the first offset not committed yet (where the log ends). 412 for Expected-Offset: the offset the next write will get.',
    example: 42,
  })
  nextOffset?: number;

  @ApiPropertyOptional({
    description: '410 for an offset retention deleted: the first offset the log still serves.',
    example: 1000,
  })
  firstOffset?: number;

  @ApiPropertyOptional({
    type: String,
    nullable: true,
    description: "503/504: the leader replica's id, or null when no leader is known.",
    example: 'replica-1',
  })
  leader?: string | null;

  @ApiPropertyOptional({
    description: '507: the replica whose disk is full (the write was not stored).',
    example: 'replica-1',
  })
  replica?: string;
}
