import { Injectable, ValidationPipe, type ArgumentMetadata } from '@nestjs/common';
import type { ValidationError } from 'class-validator';
import { invalidRequest, type FieldProblem } from '../problems';
import { FIELD_LOCATION, type FieldLocation } from '../data/dto/field-location';

/**
 * The global validation pipe: class-validator DTOs, unknown fields refused, and every failure
 * turned into one 400 problem with a sentence per field. A body that is not a JSON object at all
 * is refused before class-transformer would quietly turn it into an empty object.
 */
@Injectable()
export class ApiValidationPipe extends ValidationPipe {
  constructor() {
    super({
      whitelist: true,
      forbidNonWhitelisted: true,
      forbidUnknownValues: true,
      transform: true,
      validationError: { target: true, value: true },
      exceptionFactory: (errors) => invalidRequest(errors.flatMap(toFieldProblems)),
    });
  }

  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    if (metadata.type === 'body' && metadata.metatype && !isPlainObject(value)) {
      throw invalidRequest([
        {
          field: '(body)',
          in: 'body',
          detail: `The body must be a JSON object such as {"message": "hello"}, not ${kind(value)}.`,
        },
      ]);
    }
    return super.transform(value, metadata);
  }
}

function toFieldProblems(error: ValidationError): FieldProblem[] {
  const location = locationOf(error);
  const constraints = error.constraints ?? {};
  if ('whitelistValidation' in constraints) {
    const where = location === 'body' ? 'field of the body' : 'query parameter';
    return [
      {
        field: error.property,
        in: location,
        detail: `${error.property} is not a known ${where}; remove it.`,
      },
    ];
  }
  return Object.values(constraints).map((detail) => ({
    field: error.property,
    in: location,
    detail,
  }));
}

function locationOf(error: ValidationError): FieldLocation {
  const type = error.target?.constructor as { [FIELD_LOCATION]?: FieldLocation } | undefined;
  return type?.[FIELD_LOCATION] ?? 'body';
}

function isPlainObject(value: unknown): boolean {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function kind(value: unknown): string {
  if (value === undefined) return 'an empty body';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return 'a string';
  return `a ${typeof value}`;
}
