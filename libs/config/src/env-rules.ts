// Property decorators for an environment class (class-validator + class-transformer): each
// variable gets one rule, and the rule's text is the `reason` of the ConfigError that
// validateEnv throws. Values arrive trimmed and non-empty (validateEnv drops empty ones, so
// `VAR=` means "use the default"); a transform turns the text into the typed value first, and
// leaves text it cannot convert as it is, for the rule to reject.
import { applyDecorators } from '@nestjs/common';
import { Transform } from 'class-transformer';
import { ValidateBy } from 'class-validator';

/** One rule: `reason` completes "VARIABLE: ..." when `test` fails. */
export function EnvRule(reason: string, test: (value: unknown) => boolean): PropertyDecorator {
  return ValidateBy({
    name: 'envRule',
    validator: { validate: (value: unknown) => test(value), defaultMessage: () => reason },
  });
}

/** Digits only, `min` to `max`: "1e3", "1.5", "-1" and "0x10" are refused, not coerced. */
export function EnvWholeNumber(min: number, max: number): PropertyDecorator {
  return applyDecorators(
    Transform(({ value }: { value: unknown }) =>
      typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value,
    ),
    EnvRule(
      `must be a whole number from ${min} to ${max}`,
      (value) =>
        typeof value === 'number' && Number.isSafeInteger(value) && value >= min && value <= max,
    ),
  );
}

/** `on` or `off`, in any case. */
export function EnvOnOff(): PropertyDecorator {
  return applyDecorators(
    Transform(({ value }: { value: unknown }) => {
      const word = typeof value === 'string' ? value.toLowerCase() : value;
      return word === 'on' ? true : word === 'off' ? false : value;
    }),
    EnvRule('must be on or off', (value) => typeof value === 'boolean'),
  );
}

/** One of a fixed set of words. */
export function EnvOneOf(allowed: readonly string[]): PropertyDecorator {
  return EnvRule(`must be one of ${allowed.join(', ')}`, (value) =>
    allowed.includes(value as string),
  );
}

/** Names safe in etcd keys and file names: node ids and the cluster prefix. */
const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

export function EnvName(): PropertyDecorator {
  return EnvRule(
    'must be 1-128 letters, digits, ".", "_" or "-", starting with a letter or digit',
    (value) => typeof value === 'string' && NAME.test(value),
  );
}

function isHttpUrl(text: string): boolean {
  try {
    const url = new URL(text);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '';
  } catch {
    return false;
  }
}

/** Comma-separated http(s) URLs (blank entries skipped), read as a non-empty list. */
export function EnvUrlList(): PropertyDecorator {
  return applyDecorators(
    Transform(({ value }: { value: unknown }) =>
      typeof value === 'string'
        ? value
            .split(',')
            .map((entry) => entry.trim())
            .filter((entry) => entry !== '')
        : value,
    ),
    EnvRule(
      'must be comma-separated http(s)://host:port URLs, like http://127.0.0.1:2379',
      (value) =>
        Array.isArray(value) &&
        value.length > 0 &&
        value.every((entry) => typeof entry === 'string' && isHttpUrl(entry)),
    ),
  );
}
