// The API key the console sends when the API has keys on (README, "API keys"). A page load
// cannot carry an Authorization header, so the page itself is public and only its feed
// (GET /ui/events) needs the `read` scope; the key the user types is kept for this tab only
// (sessionStorage), never in the URL, where it would land in logs and history.
const STORAGE_KEY = 'distilled-api-key';

export function storedApiKey(): string | undefined {
  try {
    return sessionStorage.getItem(STORAGE_KEY) ?? undefined;
  } catch {
    return undefined; // storage disabled: the console works without keys
  }
}

export function storeApiKey(key: string): void {
  sessionStorage.setItem(STORAGE_KEY, key.trim());
}
