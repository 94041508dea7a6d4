/**
 * The API keys a benchmark runs with when it measures the key check (`--api-keys`): ten keys,
 * as a keys file's text, and the secret of the last one, which the load generators send (the
 * check compares the presented secret with every key, so the last one costs no less than any).
 */
export const BENCH_API_SECRET = 'bench-writer-secret-10';

export function benchKeysFileText(): string {
  return Array.from({ length: 10 }, (_, i) => `key${i} read,write bench-writer-secret-${i + 1}`)
    .map((line) => `${line}\n`)
    .join('');
}

/** The header every request of a run with keys carries. */
export function benchAuthHeaders(apiKeys: boolean): Record<string, string> {
  return apiKeys ? { authorization: `Bearer ${BENCH_API_SECRET}` } : {};
}
