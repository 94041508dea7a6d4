// Command-line flags for our scripts (the distilled CLI, the fault-suite runner, the
// benchmarks): node:util's parseArgs does the splitting and refuses unknown flags; this adds
// typed reads with one wording for every mistake, so each script declares its flags and reads
// them, and never parses argv by hand.
import { parseArgs } from 'node:util';
import { describeError } from './describe-error';

/** A flag the user got wrong; the message is one line meant for them. */
export class FlagError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FlagError';
  }
}

export interface FlagSpec {
  type: 'string' | 'boolean';
  short?: string;
}

/** "a, b or c" */
function alternatives(words: readonly string[]): string {
  return words.length < 2
    ? words.join('')
    : `${words.slice(0, -1).join(', ')} or ${words[words.length - 1]}`;
}

/** Parsed flags; `K` is the declared names, so a read of an undeclared flag does not compile. */
export class Flags<K extends string> {
  private constructor(
    private readonly values: Partial<Record<K, string | boolean>>,
    readonly positionals: string[],
  ) {}

  /**
   * Parses `args` against the declared flags: `--name value`, `--name=value`, `--flag`.
   * Throws FlagError for an unknown flag, a missing value, or positionals when none are allowed.
   */
  static parse<K extends string>(
    args: readonly string[],
    spec: Record<K, FlagSpec>,
    options: { positionals?: boolean } = {},
  ): Flags<K> {
    try {
      const parsed = parseArgs({
        args: [...args],
        options: spec as Record<string, FlagSpec>,
        allowPositionals: options.positionals ?? false,
        strict: true,
      });
      return new Flags<K>(
        parsed.values as Partial<Record<K, string | boolean>>,
        parsed.positionals,
      );
    } catch (error) {
      throw new FlagError(describeError(error));
    }
  }

  /** Whether the flag was given at all. */
  has(name: K): boolean {
    return this.values[name] !== undefined && this.values[name] !== false;
  }

  string(name: K): string | undefined;
  string(name: K, fallback: string): string;
  string(name: K, fallback?: string): string | undefined {
    const value = this.values[name];
    return typeof value === 'string' ? value : fallback;
  }

  /** Digits only (no sign, exponent or fraction), at least `min`. */
  integer(name: K, fallback: number, min = 0): number {
    const raw = this.string(name);
    if (raw === undefined) return fallback;
    if (!/^\d+$/.test(raw) || Number(raw) < min || !Number.isSafeInteger(Number(raw))) {
      throw new FlagError(`--${name} must be a whole number >= ${min}, not "${raw}"`);
    }
    return Number(raw);
  }

  /** A finite decimal number, at least `min` (durations in seconds, say). */
  number(name: K, fallback: number, min = 0): number {
    const raw = this.string(name);
    if (raw === undefined) return fallback;
    const value = Number(raw);
    if (raw.trim() === '' || !Number.isFinite(value) || value < min) {
      throw new FlagError(`--${name} must be a number >= ${min}, not "${raw}"`);
    }
    return value;
  }

  oneOf<T extends string>(name: K, allowed: readonly T[], fallback: T): T {
    const raw = this.string(name);
    if (raw === undefined) return fallback;
    if (!(allowed as readonly string[]).includes(raw)) {
      throw new FlagError(`--${name} must be ${alternatives(allowed)}, not "${raw}"`);
    }
    return raw as T;
  }

  /** Comma-separated, blanks dropped. */
  list(name: K, fallback: string[]): string[] {
    const raw = this.string(name);
    if (raw === undefined) return fallback;
    return raw
      .split(',')
      .map((item) => item.trim())
      .filter((item) => item !== '');
  }
}
