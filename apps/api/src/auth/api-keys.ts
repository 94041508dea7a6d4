// Finds the key a request presents. Every presented secret is hashed and compared with every
// key's hash with timingSafeEqual, without stopping at a match, so neither the time taken nor
// an early exit says how much of a secret was right or which key it was near.
import { timingSafeEqual } from 'node:crypto';
import type { ApiKey } from './api-key';
import { hashSecret } from './api-keys-file';

export class ApiKeys {
  constructor(private readonly keys: readonly ApiKey[]) {}

  /** The key whose secret this is, or null. */
  find(secret: string): ApiKey | null {
    const digest = hashSecret(secret);
    let found: ApiKey | null = null;
    for (const key of this.keys) {
      if (timingSafeEqual(key.digest, digest) && found === null) found = key;
    }
    return found;
  }
}

/** The token of an `Authorization: Bearer <token>` header (RFC 6750), or null. */
export function bearerToken(header: string | undefined): string | null {
  if (header === undefined) return null;
  const match = /^Bearer +([\x21-\x7e]+) *$/i.exec(header);
  return match ? match[1] : null;
}
