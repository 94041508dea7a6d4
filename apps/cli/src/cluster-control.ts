// The commands that change the cluster `distilled start` runs, from another terminal: they find
// its control endpoint through data/cluster.json and ask the start process to do the work, so
// every replica stays its child.
import { describeError } from '@distilled/common';
import type { CliOptions } from './cli-options';
import { fail, info } from './output';
import { runningCluster, type ClusterState } from './state';

/** A replica as the control endpoint describes it. */
export interface ReplicaView {
  id: string;
  address: string;
  pid?: number;
  running: boolean;
}

export function requireCluster(opts: CliOptions): ClusterState {
  const state = runningCluster(opts.data);
  if (!state) {
    fail(
      `no running cluster found in ${opts.data} (no live data/cluster.json).\n` +
        'Start one with `npm start` (or `node scripts/distilled.js start`)' +
        (opts.dataGiven ? '' : ', or pass --data DIR if it was started with one') +
        '.',
    );
  }
  return state;
}

async function control(opts: CliOptions, method: string, path: string): Promise<ReplicaView> {
  const state = requireCluster(opts);
  let res: Response;
  try {
    res = await fetch(`${state.control}${path}`, { method, signal: AbortSignal.timeout(60_000) });
  } catch (error) {
    fail(
      `cannot reach the start process (pid ${state.pid}) at ${state.control}: ${describeError(error)}`,
    );
  }
  const body = (await res.json().catch(() => ({}))) as Partial<ReplicaView> & { error?: string };
  if (!res.ok) fail(String(body.error));
  return body as ReplicaView;
}

export async function addReplica(opts: CliOptions): Promise<void> {
  const replica = await control(opts, 'POST', '/replicas');
  info(
    `${replica.id} is running on ${replica.address} (pid ${replica.pid}); its log shows in the start terminal`,
  );
}

export type ReplicaAction = 'stop' | 'kill' | 'restart';

const DONE: Record<ReplicaAction, string> = {
  stop: 'stopped',
  kill: 'killed (SIGKILL)',
  restart: 'restarted',
};

export async function replicaAction(
  opts: CliOptions,
  action: ReplicaAction,
  id: string | undefined,
): Promise<void> {
  if (!id) fail(`which replica? e.g. distilled ${action}-replica replica-1`);
  const replica = await control(opts, 'POST', `/replicas/${encodeURIComponent(id)}/${action}`);
  info(
    `${replica.id} ${DONE[action]}${replica.running ? ` on ${replica.address}, pid ${replica.pid}` : ''}`,
  );
}

export function stop(opts: CliOptions): void {
  const state = requireCluster(opts);
  process.kill(state.pid, 'SIGTERM');
  info(
    `asked the start process (pid ${state.pid}) to stop the cluster; its terminal shows the progress`,
  );
}
