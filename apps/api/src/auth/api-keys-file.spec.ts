import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '@distilled/config';
import { hashSecret, parseApiKeys, readApiKeysFile } from './api-keys-file';

const SECRET_A = 'a-secret-of-sixteen+';
const SECRET_B = 'another-long-secret-B';

describe('parseApiKeys', () => {
  it('reads names, scopes and hashed secrets; skips blank lines and comments', () => {
    const keys = parseApiKeys(
      `# who may do what\n\nreader read ${SECRET_A}\r\n  writer  read,write\t${SECRET_B}  \n`,
      'keys',
    );
    expect(keys.map((key) => [key.name, [...key.scopes]])).toEqual([
      ['reader', ['read']],
      ['writer', ['read', 'write']],
    ]);
    expect(keys[0].digest.equals(hashSecret(SECRET_A))).toBe(true);
    expect(JSON.stringify(keys)).not.toContain(SECRET_A);
    expect(keys.map((key) => key.rateLimit)).toEqual([undefined, undefined]);
  });

  it('reads an optional per-key rate limit as a fourth field', () => {
    const keys = parseApiKeys(
      `slow write ${SECRET_A} rate-limit=20\nfree read ${SECRET_B} rate-limit=off\n`,
      'keys',
    );
    expect(keys.map((key) => [key.name, key.rateLimit])).toEqual([
      ['slow', 20],
      ['free', 'off'],
    ]);
  });

  it.each<[string, string, RegExp]>([
    [
      'two fields',
      `reader ${SECRET_A}`,
      /line 1: must be "<name> <scopes> <secret> \[rate-limit=<n>\]"/,
    ],
    ['five fields', `reader read ${SECRET_A} rate-limit=5 extra`, /line 1: must be/],
    [
      'a fourth field that is not a rate limit',
      `reader read ${SECRET_A} extra`,
      /line 1: the fourth field must be rate-limit=/,
    ],
    ['a rate limit of 0', `reader read ${SECRET_A} rate-limit=0`, /line 1: the fourth field/],
    ['a fractional rate limit', `reader read ${SECRET_A} rate-limit=1.5`, /line 1: the fourth/],
    [
      'an unknown scope',
      `reader admin ${SECRET_A}`,
      /line 1: scopes must be a comma list of read, write/,
    ],
    ['an empty scope', `reader read, ${SECRET_A}`, /line 1: (scopes|must be)/],
    ['a short secret', 'reader read short', /line 1: the secret must be 16-512/],
    ['a bad name', `-x read ${SECRET_A}`, /line 1: the name must be/],
    [
      'a repeated name',
      `a read ${SECRET_A}\na write ${SECRET_B}`,
      /line 2: the name a is used twice/,
    ],
    [
      'a repeated secret',
      `a read ${SECRET_A}\nb write ${SECRET_A}`,
      /line 2: the secret is used twice/,
    ],
    ['no key at all', '# nothing yet\n', /holds no key/],
  ])('refuses %s with one line naming the variable, never the secret', (_name, text, reason) => {
    let error: unknown;
    try {
      parseApiKeys(text, '/etc/distilled/keys');
    } catch (thrown) {
      error = thrown;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as ConfigError).message;
    expect(message).toMatch(/^DISTILLED_API_KEYS_FILE: /);
    expect(message).toMatch(reason);
    expect(message).toContain('(got "/etc/distilled/keys")');
    expect(message).not.toContain(SECRET_A);
    expect(message).not.toContain('short');
  });
});

describe('readApiKeysFile', () => {
  it('reads a file, and names the variable when it cannot', () => {
    const dir = mkdtempSync(join(tmpdir(), 'distilled-keys-'));
    try {
      const path = join(dir, 'keys');
      writeFileSync(path, `reader read ${SECRET_A}\n`);
      expect(readApiKeysFile(path).map((key) => key.name)).toEqual(['reader']);
      expect(() => readApiKeysFile(join(dir, 'missing'))).toThrow(
        /^DISTILLED_API_KEYS_FILE: cannot read the keys file \(ENOENT\)/,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
