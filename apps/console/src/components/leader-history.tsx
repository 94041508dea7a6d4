// The changes of leader this API has seen, newest first, each with the reason it could see.
import type { LeaderChange } from '@distilled/console-frames';
import { formatUtcTime } from '../format';

export function LeaderHistory({ changes }: { changes: LeaderChange[] }) {
  if (changes.length === 0) return <p>No leader seen yet.</p>;
  return (
    <ol class="leader-changes">
      {changes.map((change) => (
        <li
          key={`${change.at}-${change.epoch}`}
          data-testid="leader-change"
          data-reason={change.reason}
        >
          <time dateTime={new Date(change.at).toISOString()}>{formatUtcTime(change.at)}</time>{' '}
          <strong>
            {change.from ?? '—'} → {change.to ?? 'no leader'}
          </strong>{' '}
          <span class="epoch">epoch {change.epoch}</span>
          <p class="why">{change.text}</p>
        </li>
      ))}
    </ol>
  );
}
