/**
 * The one rule for whole-number query parameters and headers (offset, limit, maxBytes, wait,
 * Last-Event-ID): plain decimal digits within bounds, nothing else, and when it is not that, a
 * sentence saying exactly what is wrong (a sign, a fraction, exponent notation, hex, spaces, a
 * "+" that a query string turned into a space, a repeated parameter).
 */
import { registerDecorator, type ValidationArguments } from 'class-validator';

export interface IntegerParam {
  /** As the client wrote it: `offset`, `maxBytes`, `Last-Event-ID`. */
  name: string;
  min: number;
  max: number;
  /** How to write a good one, e.g. `?limit=100`. */
  example: string;
  /** The sentence for a value above max; by default "above the largest allowed, <max>". */
  aboveMax?: (shown: string) => string;
  /** The sentence's ending for a negative value; by default "it must be at least <min>". */
  negative?: string;
}

/** Why `value` (as the query parser or the header gave it) is not a valid `param`, or null. */
export function integerParamProblem(param: IntegerParam, value: unknown): string | null {
  const { name, min, max } = param;
  const maxDigits = String(max);
  const how = `write it as plain decimal digits from ${min} to ${maxDigits}, such as ${param.example}`;
  if (value === undefined) return `${name} is required: ${how}.`;
  if (Array.isArray(value)) return `${name} was given ${value.length} times; give it once.`;
  if (typeof value !== 'string') return `${name} is not a number; ${how}.`;
  const shown = JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (value === '') return `${name} is empty; ${how}.`;
  if (/^\d+$/.test(value)) {
    const digits = value.replace(/^0+(?=\d)/, '');
    if (
      digits.length > maxDigits.length ||
      (digits.length === maxDigits.length && digits > maxDigits)
    ) {
      return param.aboveMax
        ? param.aboveMax(shown)
        : `${name} ${shown} is above the largest allowed, ${maxDigits}.`;
    }
    if (Number(digits) < min) return `${name} ${shown} is below ${min}; ${how}.`;
    return null;
  }
  if (/^-\d+(\.\d*)?$/.test(value)) {
    return `${name} ${shown} is negative; ${param.negative ?? `it must be at least ${min}`}.`;
  }
  if (/^[+-]?(\d+\.\d*|\.\d+)$/.test(value)) {
    return `${name} ${shown} is not a whole number; ${how}.`;
  }
  if (/^[+-]?(\d+\.?\d*|\.\d+)e[+-]?\d+$/i.test(value)) {
    return `${name} ${shown} uses exponent notation; ${how}.`;
  }
  if (/^\+\d+$/.test(value)) return `${name} ${shown} has a sign; ${how}.`;
  // An unescaped "+" in a query string means a space, so "?offset=+0" arrives as " 0".
  if (/^ +\d+$/.test(value)) {
    return `${name} ${shown} starts with a space or a "+" sign (a "+" in a query string is a space); ${how}.`;
  }
  if (/^[+-]?0[xob]/i.test(value)) return `${name} ${shown} is not decimal; ${how}.`;
  if (/^\s|\s$/.test(value)) return `${name} ${shown} has spaces around it; ${how}.`;
  return `${name} ${shown} is not a number; ${how}.`;
}

/** A class-validator decorator for a query parameter that must satisfy `problem`. */
export function ValidQueryParam(
  decoratorName: string,
  problem: (value: unknown) => string | null,
): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name: decoratorName,
      target: target.constructor,
      propertyName: String(propertyName),
      validator: {
        validate: (value: unknown) => problem(value) === null,
        defaultMessage: (args?: ValidationArguments) => problem(args?.value) ?? '',
      },
    });
}
