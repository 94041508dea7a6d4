// The console: one live connection to the API's feed, and the panels that draw it.
import { useEffect, useState } from 'preact/hooks';
import { ConnectionStatus } from './components/connection-status';
import { LatencyTable } from './components/latency-table';
import { LeaderHistory } from './components/leader-history';
import { MessageTail } from './components/message-tail';
import { ProblemList } from './components/problem-list';
import { ReplicaList } from './components/replica-list';
import { TrafficChart } from './components/traffic-chart';
import { connectFeed, type FeedStatus } from './feed';
import type { ConsoleState, TrafficSample } from '@distilled/console-frames';
import { appendSample } from './traffic-history';

export function App() {
  const [state, setState] = useState<ConsoleState | null>(null);
  const [traffic, setTraffic] = useState<TrafficSample[]>([]);
  const [status, setStatus] = useState<FeedStatus>({ kind: 'connecting' });

  useEffect(
    () =>
      connectFeed({
        snapshot: (frame) => {
          setState(frame.state);
          setTraffic(frame.traffic);
        },
        update: (frame) => {
          setState(frame.state);
          setTraffic((history) => appendSample(history, frame.traffic));
        },
        // 'live' comes with every chunk; keep the same object so nothing re-renders for it.
        status: (next) =>
          setStatus((prev) => (prev.kind === next.kind && next.kind === 'live' ? prev : next)),
      }),
    [],
  );

  return (
    <>
      <header class="top">
        <h1>Distilled console</h1>
        <p class="leader" data-testid="leader">
          {state === null ? (
            'Waiting for the cluster…'
          ) : state.leader === null ? (
            <strong>No leader</strong>
          ) : (
            <>
              Leader <strong>{state.leader}</strong>, epoch <strong>{state.epoch}</strong>
            </>
          )}
        </p>
        <ConnectionStatus status={status} />
      </header>
      <main>
        {state && <ProblemList problems={state.problems} />}
        <section class="panel replicas" aria-labelledby="replicas-title">
          <h2 id="replicas-title">Replicas</h2>
          {state ? <ReplicaList state={state} /> : <p>No data yet.</p>}
        </section>
        <section class="panel" aria-labelledby="traffic-title">
          <h2 id="traffic-title">Traffic</h2>
          <TrafficChart history={traffic} />
          {state && <LatencyTable latency={state.latency} />}
        </section>
        <section class="panel" aria-labelledby="leaders-title">
          <h2 id="leaders-title">Leader changes</h2>
          {state && <LeaderHistory changes={state.leaderChanges} />}
        </section>
        <section class="panel" aria-labelledby="tail-title">
          <h2 id="tail-title">Newest messages</h2>
          {state && <MessageTail tail={state.tail} error={state.tailError} />}
        </section>
      </main>
      <footer>
        <a href="/docs">API documentation</a> · <a href="/Cluster">/Cluster (JSON)</a> ·{' '}
        <a href="/metrics">/metrics</a>
      </footer>
    </>
  );
}
