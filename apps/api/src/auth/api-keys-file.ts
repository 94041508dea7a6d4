// Reads DISTILLED_API_KEYS_FILE: one key per line, `<name> <scopes> <secret>`, scopes a comma
// list of read and write, then optionally `rate-limit=<n>` (or `rate-limit=off`): this key's own
// requests per DISTILLED_API_RATE_LIMIT_WINDOW_MS. Blank lines and lines starting with # are
// skipped. A bad line stops the API at start with one line naming the variable and the line
// number, never the secret.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { ConfigError } from '@distilled/config';
import { API_SCOPES, type ApiKey, type ApiScope, type KeyRateLimit } from './api-key';

const VARIABLE = 'DISTILLED_API_KEYS_FILE';
const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
/** Visible ASCII, at least 16 characters: long enough not to be guessed one request at a time. */
const SECRET = /^[\x21-\x7e]{16,512}$/;
const RATE_LIMIT = /^rate-limit=(?:off|[1-9]\d{0,8})$/;

export function hashSecret(secret: string): Buffer {
  return createHash('sha256').update(secret, 'utf8').digest();
}

/** The keys in the file at `path`; throws ConfigError naming DISTILLED_API_KEYS_FILE. */
export function readApiKeysFile(path: string): ApiKey[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new ConfigError(VARIABLE, `cannot read the keys file (${code})`, path);
  }
  return parseApiKeys(text, path);
}

export function parseApiKeys(text: string, path: string): ApiKey[] {
  const keys: ApiKey[] = [];
  const fail = (line: number, reason: string): never => {
    throw new ConfigError(VARIABLE, `line ${line}: ${reason}`, path);
  };
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = index + 1;
    const content = raw.trim();
    if (content === '' || content.startsWith('#')) return;
    const fields = content.split(/\s+/);
    if (fields.length !== 3 && fields.length !== 4) {
      fail(line, 'must be "<name> <scopes> <secret> [rate-limit=<n>]" (3 or 4 fields)');
    }
    const [name, scopeList, secret, limit] = fields;
    if (!NAME.test(name)) fail(line, 'the name must be 1-64 letters, digits, ".", "_" or "-"');
    const scopes = scopeList.split(',');
    if (!scopes.every((scope) => (API_SCOPES as readonly string[]).includes(scope))) {
      fail(line, `scopes must be a comma list of ${API_SCOPES.join(', ')}`);
    }
    if (!SECRET.test(secret)) fail(line, 'the secret must be 16-512 visible ASCII characters');
    if (limit !== undefined && !RATE_LIMIT.test(limit)) {
      fail(line, 'the fourth field must be rate-limit=<1 to 999999999> or rate-limit=off');
    }
    const digest = hashSecret(secret);
    if (keys.some((key) => key.name === name)) fail(line, `the name ${name} is used twice`);
    if (keys.some((key) => key.digest.equals(digest))) fail(line, 'the secret is used twice');
    const key: ApiKey = { name, scopes: new Set(scopes as ApiScope[]), digest };
    if (limit !== undefined) key.rateLimit = keyRateLimit(limit);
    keys.push(key);
  });
  if (keys.length === 0) fail(0, 'the file holds no key; leave the variable unset for an open API');
  return keys;
}

function keyRateLimit(field: string): KeyRateLimit {
  const value = field.slice('rate-limit='.length);
  return value === 'off' ? 'off' : Number(value);
}
