// Whether the page is live: people must know when what they see stopped moving.
import type { FeedStatus } from '../feed';

export function ConnectionStatus({ status }: { status: FeedStatus }) {
  const text = describe(status);
  return (
    <p class={`connection connection-${status.kind}`} role="status" data-testid="connection">
      <span class="dot" aria-hidden="true" />
      {text}
    </p>
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
