import { FlagError, Flags } from './flags';

const SPEC = {
  replicas: { type: 'string' },
  fsync: { type: 'string' },
  duration: { type: 'string' },
  sizes: { type: 'string' },
  fresh: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

function parse(...args: string[]): Flags<keyof typeof SPEC> {
  return Flags.parse(args, SPEC, { positionals: true });
}

function failure(read: () => unknown): string {
  try {
    read();
  } catch (error) {
    if (error instanceof FlagError) return error.message;
    throw error;
  }
  throw new Error('no FlagError');
}

describe('Flags', () => {
  it('reads values, booleans and positionals in any order', () => {
    const flags = parse('start', '--replicas', '5', '--fresh', '--fsync=never', 'extra', '-h');
    expect(flags.positionals).toEqual(['start', 'extra']);
    expect(flags.integer('replicas', 3, 1)).toBe(5);
    expect(flags.oneOf('fsync', ['always', 'interval', 'never'], 'always')).toBe('never');
    expect(flags.has('fresh')).toBe(true);
    expect(flags.has('help')).toBe(true);
  });

  it('falls back to the defaults for flags not given', () => {
    const flags = parse();
    expect(flags.integer('replicas', 3, 1)).toBe(3);
    expect(flags.number('duration', 1.5)).toBe(1.5);
    expect(flags.list('sizes', ['100'])).toEqual(['100']);
    expect(flags.string('fsync')).toBeUndefined();
    expect(flags.has('fresh')).toBe(false);
  });

  it('reads decimals and lists', () => {
    const flags = parse('--duration', '0.5', '--sizes', '100, 1k,');
    expect(flags.number('duration', 2)).toBe(0.5);
    expect(flags.list('sizes', [])).toEqual(['100', '1k']);
  });

  it.each([
    [['--replicas', 'many'], '--replicas must be a whole number >= 1, not "many"'],
    [['--replicas', '0'], '--replicas must be a whole number >= 1, not "0"'],
    [['--replicas', '1e3'], '--replicas must be a whole number >= 1, not "1e3"'],
    [['--duration', 'x'], '--duration must be a number >= 0, not "x"'],
    [['--fsync', 'sometimes'], '--fsync must be always, interval or never, not "sometimes"'],
  ])('%j is refused with one line', (args, message) => {
    const flags = parse(...args);
    expect(
      failure(() => {
        flags.integer('replicas', 3, 1);
        flags.number('duration', 2);
        flags.oneOf('fsync', ['always', 'interval', 'never'], 'always');
      }),
    ).toBe(message);
  });

  it('refuses unknown flags, missing values and unexpected positionals', () => {
    expect(failure(() => parse('--replica', '3'))).toContain("Unknown option '--replica'");
    expect(failure(() => parse('--replicas'))).toContain("'--replicas <value>' argument missing");
    expect(failure(() => Flags.parse(['stray'], SPEC))).toContain('Unexpected argument');
  });
});
