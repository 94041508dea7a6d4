import { FlagError, Flags } from '@distilled/common';
import { CLI_FLAGS, readCliOptions } from './cli-options';

const read = (...argv: string[]) =>
  readCliOptions(Flags.parse(argv, CLI_FLAGS, { positionals: true }));

describe('readCliOptions: produce --batch and --key', () => {
  it('leaves both unset without the flags: one POST /Data per message, no key', () => {
    expect(read('produce', 'a')).toMatchObject({ batch: undefined, key: undefined });
  });

  it('reads a batch size from 1 to 10000 and a key prefix', () => {
    expect(read('produce', '--batch', '100', '--key', 'import-42')).toMatchObject({
      batch: 100,
      key: 'import-42',
    });
    expect(read('produce', '--batch', '10000').batch).toBe(10_000);
  });

  it.each([
    ['--batch 0', ['--batch', '0'], /--batch must be a whole number >= 1/],
    ['--batch 1.5', ['--batch', '1.5'], /--batch must be a whole number >= 1/],
    ['--batch 10001', ['--batch', '10001'], /--batch must be at most 10000/],
    ['--key with a space', ['--key', 'has space'], /--key must be 1 to 240 visible ASCII/],
    ['--key of 241 characters', ['--key', 'k'.repeat(241)], /--key must be 1 to 240 visible/],
  ])('%s stops with one line naming the flag', (_, flags, message) => {
    expect(() => read('produce', ...flags)).toThrow(FlagError);
    expect(() => read('produce', ...flags)).toThrow(message);
  });
});
