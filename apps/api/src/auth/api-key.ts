// One API key as the API keeps it: a name for logs and limits, its scopes, its own rate limit
// if it has one, and the SHA-256 of
// its secret. The secret itself is dropped once hashed (secrets never sit in the config object
// or in any answer or log line).

export const API_SCOPES = ['read', 'write'] as const;
export type ApiScope = (typeof API_SCOPES)[number];

export interface ApiKey {
  name: string;
  scopes: ReadonlySet<ApiScope>;
  /** SHA-256 of the secret. */
  digest: Buffer;
  /**
   * This key's own requests per window (`rate-limit=<n>` in the keys file), `'off'` for none;
   * absent: DISTILLED_API_RATE_LIMIT applies.
   */
  rateLimit?: KeyRateLimit;
}

export type KeyRateLimit = number | 'off';
