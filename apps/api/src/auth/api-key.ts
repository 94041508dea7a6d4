// One API key as the API keeps it: a name for logs and limits, its scopes, and the SHA-256 of
// its secret. The secret itself is dropped once hashed (secrets never sit in the config object
// or in any answer or log line).

export const API_SCOPES = ['read', 'write'] as const;
export type ApiScope = (typeof API_SCOPES)[number];

export interface ApiKey {
  name: string;
  scopes: ReadonlySet<ApiScope>;
  /** SHA-256 of the secret. */
  digest: Buffer;
}
