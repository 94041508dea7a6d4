/**
 * Waiting until the replicas agree: asks every running, unpaused replica for its Status until
 * their answers, taken together, say what a caller waits for (one leader all of them name, an
 * ISR), and otherwise times out with what each replica last said, so a failed wait explains
 * itself. Apart from LocalCluster, which only says what to wait for.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { StatusResponse } from '@distilled/proto';
import { LauncherError } from './errors';
import type { ReplicaProcess } from './replica-process';

type Answer =
  { replica: ReplicaProcess; status: StatusResponse } | { replica: ReplicaProcess; error: Error };

/**
 * Polls Status of every running, unpaused replica of `replicas` (read again on every round, so
 * replicas added meanwhile count) until `decide` returns a value.
 */
export async function pollReplicaViews<T>(
  replicas: readonly ReplicaProcess[],
  status: (replica: ReplicaProcess, timeoutMs: number) => Promise<StatusResponse>,
  what: string,
  timeoutMs: number,
  decide: (views: StatusResponse[]) => T | undefined,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastSeen = 'no replica answered yet';
  for (;;) {
    const targets = replicas.filter((replica) => replica.running && !replica.isPaused);
    const answers: Answer[] = await Promise.all(
      targets.map((replica) =>
        status(replica, 1000).then(
          (status) => ({ replica, status }),
          (error: Error) => ({ replica, error }),
        ),
      ),
    );
    lastSeen = answers.map(describeAnswer).join('; ') || 'no replica is running';
    if (answers.length > 0 && answers.every((a) => 'status' in a)) {
      const views = answers.map((a) => ('status' in a ? a.status : undefined)) as StatusResponse[];
      const result = decide(views);
      if (result !== undefined) return result;
    }
    if (Date.now() >= deadline)
      throw LauncherError.timeout(what, timeoutMs, `last seen: ${lastSeen}`);
    await sleep(100);
  }
}

/** The leader every view names, if there is exactly one and it calls itself leader. */
export function agreedLeader(views: StatusResponse[]): StatusResponse | undefined {
  const leaders = views.filter((view) => view.role === 'leader');
  if (leaders.length !== 1) return undefined;
  const leader = leaders[0];
  const agreed = views.every((view) => view === leader || view.leader_id === leader.id);
  return agreed ? leader : undefined;
}

function describeAnswer(answer: Answer): string {
  if ('error' in answer) return `${answer.replica.id}: no answer (${answer.error.message})`;
  const s = answer.status;
  const leader = s.role === 'leader' ? '' : ` of ${s.leader_id || 'nobody'}`;
  return `${s.id}: ${s.role}${leader}, epoch ${s.epoch}, isr [${s.isr.join(', ')}], leo ${s.log_end_offset}, hw ${s.high_watermark}`;
}
