// Whether the page is live: people must know when what they see stopped moving.
import { storeApiKey } from '../api-key';
import type { FeedStatus } from '../feed';

export function ConnectionStatus({ status }: { status: FeedStatus }) {
  const text = describe(status);
  return (
    <>
      <p class={`connection connection-${status.kind}`} role="status" data-testid="connection">
        <span class="dot" aria-hidden="true" />
        {text}
      </p>
      {status.kind === 'denied' && <ApiKeyForm />}
    </>
  );
}

/** Asks for a key with the read scope; the page reloads to connect with it. */
function ApiKeyForm() {
  const submit = (event: Event) => {
    event.preventDefault();
    const input = (event.currentTarget as HTMLFormElement).elements.namedItem('api-key');
    if (input instanceof HTMLInputElement && input.value.trim()) {
      storeApiKey(input.value);
      location.reload();
    }
  };
  return (
    <form class="api-key-form" onSubmit={submit} data-testid="api-key-form">
      <label for="api-key">API key (read scope)</label>
      <input id="api-key" name="api-key" type="password" autocomplete="off" required />
      <button type="submit">Connect</button>
    </form>
  );
}

function describe(status: FeedStatus): string {
  switch (status.kind) {
    case 'connecting':
      return 'Connecting…';
    case 'live':
      return 'Live';
    case 'retrying':
      return `Disconnected (${status.reason}); retrying in ${Math.max(1, Math.round((status.retryAt - Date.now()) / 1000))} s`;
    case 'denied':
      return `Not allowed: ${status.detail} The console needs an API key with the read scope.`;
  }
}
