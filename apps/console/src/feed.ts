// The console's connection to GET /ui/events. fetch() and a streaming SSE parser rather than
// EventSource: EventSource cannot send an Authorization header, and the API wants one when keys
// are on (the `read` scope). A 401/403 stops the retries and shows the key form.
import { createParser, type EventSourceMessage } from 'eventsource-parser';
import { storedApiKey } from './api-key';
import type { SnapshotFrame, UpdateFrame } from '@distilled/console-frames';

export type FeedStatus =
  | { kind: 'connecting' }
  | { kind: 'live' }
  | { kind: 'retrying'; reason: string; retryAt: number }
  | { kind: 'denied'; detail: string };

export interface FeedHandlers {
  snapshot(frame: SnapshotFrame): void;
  update(frame: UpdateFrame): void;
  status(status: FeedStatus): void;
}

const EVENTS_URL = '/ui/events';
const MAX_RETRY_MS = 10_000;

/** Connects and reconnects until the returned function is called. */
export function connectFeed(handlers: FeedHandlers): () => void {
  const abort = new AbortController();
  let retryMs = 1000;
  let timer: ReturnType<typeof setTimeout> | undefined;

  const scheduleRetry = (reason: string): void => {
    if (abort.signal.aborted) return;
    handlers.status({ kind: 'retrying', reason, retryAt: Date.now() + retryMs });
    timer = setTimeout(() => void run(), retryMs);
    retryMs = Math.min(retryMs * 2, MAX_RETRY_MS);
  };

  const run = async (): Promise<void> => {
    handlers.status({ kind: 'connecting' });
    try {
      const response = await fetch(EVENTS_URL, request(abort.signal));
      if (response.status === 401 || response.status === 403) {
        handlers.status({ kind: 'denied', detail: await problemDetail(response) });
        return;
      }
      if (!response.ok || !response.body) {
        scheduleRetry(`the API answered ${response.status}: ${await problemDetail(response)}`);
        return;
      }
      const parser = createParser({
        onEvent: (event) => dispatch(event, handlers),
        onRetry: (ms) => (retryMs = ms),
      });
      const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        parser.feed(value);
        if (retryMs > 2000) retryMs = 2000;
        handlers.status({ kind: 'live' });
      }
      scheduleRetry('the API closed the stream');
    } catch (error) {
      if (abort.signal.aborted) return;
      scheduleRetry(error instanceof Error ? error.message : String(error));
    }
  };

  void run();
  return () => {
    abort.abort();
    clearTimeout(timer);
  };
}

/** The request for the feed, with the tab's API key when one was given. */
function request(signal: AbortSignal): RequestInit {
  const headers: Record<string, string> = { accept: 'text/event-stream' };
  const key = storedApiKey();
  if (key) headers.authorization = `Bearer ${key}`;
  return { signal, headers, cache: 'no-store' };
}

function dispatch(event: EventSourceMessage, handlers: FeedHandlers): void {
  if (event.event === 'snapshot') handlers.snapshot(JSON.parse(event.data) as SnapshotFrame);
  else if (event.event === 'update') handlers.update(JSON.parse(event.data) as UpdateFrame);
}

/** The `detail` of a problem+json answer, else its status line. */
async function problemDetail(response: Response): Promise<string> {
  try {
    const body = (await response.json()) as { detail?: unknown };
    if (typeof body.detail === 'string') return body.detail;
  } catch {
    // Not JSON: the status says enough.
  }
  return `${response.status} ${response.statusText}`;
}
