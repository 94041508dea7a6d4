// Every replica: role, ISR membership, and its log (start, high watermark, end) as a bar on the
// scale all replicas share, so who is behind shows at a glance.
import type { ConsoleReplica, ConsoleState } from '@distilled/console-frames';
import { formatCount } from '../format';
import { logBar, logScale, type LogScale } from '../log-scale';

export function ReplicaList({ state }: { state: ConsoleState }) {
  const scale = logScale(state.replicas);
  return (
    <>
      <p class="scale-note">
        One scale for every bar: offsets {formatCount(scale.start)} to {formatCount(scale.end)};
        committed up to {formatCount(state.committedEnd)}.
      </p>
      <ul class="replica-list">
        {state.replicas.map((replica) => (
          <ReplicaRow key={replica.id} replica={replica} scale={scale} leader={state.leader} />
        ))}
      </ul>
      <p class="legend" aria-hidden="true">
        <span class="swatch committed" /> committed (below the high watermark){' '}
        <span class="swatch uncommitted" /> written, not yet committed
      </p>
    </>
  );
}

function ReplicaRow({
  replica,
  scale,
  leader,
}: {
  replica: ConsoleReplica;
  scale: LogScale;
  leader: string | null;
}) {
  const bar = logBar(replica, scale);
  const isLeader = replica.id === leader;
  return (
    <li
      class={`replica role-${replica.role}`}
      data-replica={replica.id}
      data-role={replica.role}
      data-in-sync={String(replica.inSync)}
    >
      <div class="replica-head">
        <strong class="replica-id">{replica.id}</strong>
        <span class={`badge role`}>
          {isLeader && replica.role !== 'leader' ? `${replica.role} (named leader)` : replica.role}
        </span>
        <span class={`badge ${replica.inSync ? 'in-sync' : 'out-of-sync'}`}>
          {replica.inSync ? 'in ISR' : 'not in ISR'}
        </span>
        {replica.address && <span class="address">{replica.address}</span>}
      </div>
      {bar ? (
        <div class="bar" role="img" aria-label={describeLog(replica)}>
          <span
            class="segment committed"
            style={{ left: `${bar.startPct}%`, width: `${bar.committedPct}%` }}
          />
          <span
            class="segment uncommitted"
            style={{ left: `${bar.highWatermarkPct}%`, width: `${bar.uncommittedPct}%` }}
          />
          <span class="hw-mark" style={{ left: `${bar.highWatermarkPct}%` }} />
        </div>
      ) : (
        <div class="bar bar-unknown">log unknown ({replica.role})</div>
      )}
      <p class="offsets">{describeLog(replica)}</p>
      {replica.problem && <p class="replica-problem">{replica.problem}</p>}
    </li>
  );
}

function describeLog(replica: ConsoleReplica): string {
  if (replica.logEndOffset === null) return 'Log start, end and high watermark unknown.';
  return `Log start ${formatCount(replica.logStartOffset)}, high watermark ${formatCount(replica.highWatermark ?? 0)}, log end ${formatCount(replica.logEndOffset)}.`;
}
