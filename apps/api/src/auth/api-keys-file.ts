// Reads DISTILLED_API_KEYS_FILE: one key per line, `<name> <scopes> <secret>`, scopes a comma
// list of read and write; blank lines and lines starting with # are skipped. A bad line stops
// the API at start with one line naming the variable and the line number, never the secret.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { ConfigError } from '@distilled/config';
import { API_SCOPES, type ApiKey, type ApiScope } from './api-key';

const VARIABLE = 'DISTILLED_API_KEYS_FILE';
const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
/** Visible ASCII, at least 16 characters: long enough not to be guessed one request at a time. */
const SECRET = /^[\x21-\x7e]{16,512}$/;

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
    if (fields.length !== 3) fail(line, 'must be "<name> <scopes> <secret>" (3 fields)');
    const [name, scopeList, secret] = fields;
    if (!NAME.test(name)) fail(line, 'the name must be 1-64 letters, digits, ".", "_" or "-"');
    const scopes = scopeList.split(',');
    if (!scopes.every((scope) => (API_SCOPES as readonly string[]).includes(scope))) {
      fail(line, `scopes must be a comma list of ${API_SCOPES.join(', ')}`);
    }
    if (!SECRET.test(secret)) fail(line, 'the secret must be 16-512 visible ASCII characters');
    const digest = hashSecret(secret);
    if (keys.some((key) => key.name === name)) fail(line, `the name ${name} is used twice`);
    if (keys.some((key) => key.digest.equals(digest))) fail(line, 'the secret is used twice');
    keys.push({ name, scopes: new Set(scopes as ApiScope[]), digest });
  });
  if (keys.length === 0) fail(0, 'the file holds no key; leave the variable unset for an open API');
  return keys;
}
