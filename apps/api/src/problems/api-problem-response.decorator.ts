import { applyDecorators } from '@nestjs/common';
import { ApiExtraModels, ApiResponse, getSchemaPath } from '@nestjs/swagger';
import type { ProblemDetails } from './problem-details';
import { ProblemDto } from './problem.dto';

export interface ProblemExample {
  summary: string;
  value: ProblemDetails;
}

/**
 * Documents one error status as application/problem+json with named examples, so Swagger UI
 * shows what each failure looks like.
 */
export function ApiProblemResponse(
  status: number,
  description: string,
  examples: Record<string, ProblemExample>,
  headers?: Record<string, { description: string; schema: { type: 'string' | 'integer' } }>,
): MethodDecorator & ClassDecorator {
  return applyDecorators(
    ApiExtraModels(ProblemDto),
    ApiResponse({
      status,
      description,
      headers,
      content: {
        'application/problem+json': {
          schema: { $ref: getSchemaPath(ProblemDto) },
          examples,
        },
      },
    }),
  );
}
