// The newest committed messages, newest first: a glimpse of what flows through the log.
import type { TailMessage } from '@distilled/console-frames';
import { formatBytes, formatCount } from '../format';

export function MessageTail({ tail, error }: { tail: TailMessage[]; error: string | null }) {
  return (
    <>
      {error && <p class="tail-error">{error}</p>}
      {tail.length === 0 ? (
        <p>No messages committed yet.</p>
      ) : (
        <ol class="tail" data-testid="tail">
          {tail.map((message) => (
            <li key={message.offset}>
              <span class="offset">#{formatCount(message.offset)}</span>{' '}
              <code>
                {message.preview}
                {message.truncated ? '…' : ''}
              </code>{' '}
              <span class="bytes">{formatBytes(message.bytes)}</span>
            </li>
          ))}
        </ol>
      )}
    </>
  );
}
