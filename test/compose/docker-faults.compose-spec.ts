/**
 * Docker-driven faults against the cluster test/compose/run.ts composed (etcd, replicas, the
 * API; DISTILLED_MIN_INSYNC from the shell): what a user of `docker-compose up --scale` meets
 * when containers die, stall, scale and restart. Writers run through every fault; the last
 * test reads every acknowledged write back. The figures (failover, catch-up, stop times) are
 * printed and handed to the runner's summary. Tests run in order on one cluster.
 */
import { appendFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { ApiClient, type ClusterView } from '../helpers/api-client';
import { expectAckedReadable, startWriters, type WriteOutcome } from '../helpers/writers';
import { composeFromEnv, docker, inspect } from './docker';

type Acked = Extract<WriteOutcome, { kind: 'acked' }>;

const { compose, apiUrl } = composeFromEnv();
const api = new ApiClient(apiUrl);
const acked: Acked[] = [];
const STOP_GRACE_MS = 15_000; // docker-compose.yml: distilled-server stop_grace_period

function figure(line: string): void {
  process.stdout.write(`  [figure] ${line}\n`);
  const report = process.env.DISTILLED_COMPOSE_REPORT;
  if (report) appendFileSync(report, `  ${line}\n`);
}

const allInSync = (count: number) => (view: ClusterView) =>
  view.nodes.length === count && view.nodes.every((n) => n.inSync) && view.leader !== null;

/** Four writers through `body`; their acknowledged writes join the final check. */
async function withWriters(prefix: string, body: () => Promise<void>): Promise<Acked[]> {
  const writers = startWriters(api, { workers: 4, prefix, pauseMs: 10 });
  let failure: unknown;
  try {
    await body();
  } catch (error) {
    failure = error;
  }
  const written = (await writers.stop()).acked();
  acked.push(...written);
  if (failure) throw failure;
  return written;
}

/** The longest time without an acknowledgement between `from` and `to`. */
function longestGap(writes: Acked[], from: number, to: number): number {
  const times = writes.map((w) => w.at).filter((t) => t >= from && t <= to);
  let gap = 0;
  let previous = from;
  for (const t of times.sort((a, b) => a - b)) {
    gap = Math.max(gap, t - previous);
    previous = t;
  }
  return Math.max(gap, to - previous);
}

/** POSTs until a write sent at or after `since` is acknowledged; ms from `since` to that 201. */
async function nextAckAfter(since: number, timeoutMs: number): Promise<number> {
  for (let n = 0; Date.now() - since < timeoutMs; n++) {
    const message = `probe-${since}-${n}`;
    try {
      const offset = await api.append(message);
      acked.push({ kind: 'acked', message, offset, at: Date.now() });
      return Date.now() - since;
    } catch {
      await sleep(20);
    }
  }
  throw new Error(`no write acknowledged within ${timeoutMs} ms`);
}

async function leader(): Promise<{ id: string; epoch: number; containerId: string }> {
  const view = await api.waitForCluster('a leader', (v) => v.leader !== null);
  return {
    id: view.leader!,
    epoch: view.epoch,
    containerId: (await compose.replica(view.leader!)).Id,
  };
}

async function startIfStopped(containerId: string): Promise<void> {
  const [info] = await inspect([containerId]);
  if (!info.State.Running) await docker(['start', containerId]);
}

describe('the composed cluster under Docker faults', () => {
  it('runs every container as the unprivileged node user, publishes only the API, and takes DISTILLED_MIN_INSYNC from the shell', async () => {
    const servers = await compose.containers('distilled-server');
    const apis = await compose.containers('distilled-api');
    const etcd = await compose.containers('etcd');
    for (const c of [...servers, ...apis]) {
      expect({ name: c.Name, user: c.Config.User }).toEqual({ name: c.Name, user: 'node' });
      const uid = (await docker(['exec', c.Id, 'id', '-u'])).trim();
      expect({ name: c.Name, uid }).toEqual({ name: c.Name, uid: '1000' });
    }
    const published = (c: (typeof servers)[number]) =>
      Object.entries(c.HostConfig.PortBindings ?? {})
        .filter(([, bindings]) => (bindings ?? []).length > 0)
        .map(([port]) => port);
    expect([...servers, ...etcd].flatMap(published)).toEqual([]);
    expect(apis.map(published)).toEqual([['5000/tcp']]);
    const wanted = `DISTILLED_MIN_INSYNC=${process.env.DISTILLED_MIN_INSYNC}`;
    for (const c of servers) expect(c.Config.Env).toContain(wanted);
  });

  it('docker kill of the leader: the next write is acknowledged within seconds, and the killed replica rejoins', async () => {
    const before = await leader();
    let failoverMs = 0;
    await withWriters('kill', async () => {
      await sleep(1000);
      const killedAt = Date.now();
      await docker(['kill', before.containerId]);
      failoverMs = await nextAckAfter(killedAt, 30_000);
    });
    const after = await api.cluster();
    expect(after.epoch).toBeGreaterThan(before.epoch);
    figure(
      `failover: docker kill of the leader -> next write acknowledged after ${failoverMs} ms (epoch ${before.epoch} -> ${after.epoch})`,
    );
    expect(failoverMs).toBeLessThan(15_000);

    await startIfStopped(before.containerId);
    const startedAt = Date.now();
    await api.waitForCluster('the killed replica back in the ISR', allInSync(3), 60_000);
    figure(
      `the killed leader's container, started again, is back in the ISR after ${Date.now() - startedAt} ms`,
    );
  });

  it('--scale distilled-server=5: the new replicas copy the log and join the ISR', async () => {
    const fill = 5_000 - (await api.cluster()).nodes[0].highWatermark;
    if (fill > 0) {
      const run = await startWriters(api, {
        workers: 16,
        prefix: 'fill',
        maxMessages: fill,
      }).done();
      acked.push(...run.acked());
    }
    const before = await api.cluster();
    const logEnd = Math.max(...before.nodes.map((n) => n.highWatermark));
    let upMs = 0;
    let inSyncMs = 0;
    await withWriters('scale', async () => {
      const t0 = Date.now();
      await compose.run(
        ['up', '-d', '--no-build', '--no-recreate', '--scale', 'distilled-server=5'],
        {
          timeoutMs: 120_000,
        },
      );
      upMs = Date.now() - t0;
      const view = await api.waitForCluster('5 replicas in sync', allInSync(5), 120_000);
      inSyncMs = Date.now() - t0;
      const added = view.nodes.filter((n) => !before.nodes.some((old) => old.id === n.id));
      expect(added).toHaveLength(2);
      for (const node of added) expect(node.logEndOffset).toBeGreaterThanOrEqual(logEnd);
    });
    figure(
      `catch-up: 2 new replicas copied ${logEnd} messages and joined the ISR ${inSyncMs} ms after docker-compose up --scale started (the command itself took ${upMs} ms)`,
    );
  });

  it('docker pause of a follower: writes go on, it leaves the ISR, and rejoins after unpause', async () => {
    const view = await api.cluster();
    const follower = view.nodes.find((n) => n.id !== view.leader)!;
    const container = await compose.replica(follower.id);
    let outMs = 0;
    let backMs = 0;
    await withWriters('pause', async () => {
      await docker(['pause', container.Id]);
      const pausedAt = Date.now();
      try {
        await api.waitForCluster(
          'the paused follower out of the ISR',
          // Its etcd lease lapses too, so it may vanish from the view rather than show out.
          (v) => !v.nodes.some((n) => n.id === follower.id && n.inSync),
          30_000,
        );
        outMs = Date.now() - pausedAt;
        // Four replicas remain, more than DISTILLED_MIN_INSYNC: writes are still taken.
        await nextAckAfter(Date.now(), 10_000);
      } finally {
        await docker(['unpause', container.Id]);
      }
      const unpausedAt = Date.now();
      await api.waitForCluster('the follower back in the ISR', allInSync(5), 60_000);
      backMs = Date.now() - unpausedAt;
    });
    figure(
      `docker pause of a follower: out of the ISR after ${outMs} ms, writes acknowledged meanwhile; back in the ISR ${backMs} ms after unpause`,
    );
  });

  it('docker stop of the leader is graceful and within stop_grace_period; writes pause only briefly', async () => {
    const before = await leader();
    let stopMs = 0;
    let stoppedAt = 0;
    const run = await withWriters('stop', async () => {
      await sleep(1000);
      stoppedAt = Date.now();
      await docker(['stop', '--time', String(STOP_GRACE_MS / 1000), before.containerId], {
        timeoutMs: 30_000,
      });
      stopMs = Date.now() - stoppedAt;
      await nextAckAfter(Date.now(), 15_000);
      await sleep(500);
    });
    const gap = longestGap(run, stoppedAt, stoppedAt + stopMs + 500);
    const [info] = await inspect([before.containerId]);
    // 137 would be SIGKILL after the grace period; a clean stop ends on its SIGTERM (0 or 143).
    expect([0, 143]).toContain(info.State.ExitCode);
    expect(stopMs).toBeLessThan(STOP_GRACE_MS);
    figure(
      `graceful stop: docker stop of the leader took ${stopMs} ms (exit ${info.State.ExitCode}, grace ${STOP_GRACE_MS / 1000} s); longest wait for an acknowledgement meanwhile ${gap} ms`,
    );
    await docker(['start', before.containerId]);
    await api.waitForCluster('the stopped replica back in the ISR', allInSync(5), 60_000);
  });

  it('docker-compose restart distilled-api: the API comes back and serves what was written', async () => {
    let readyMs = 0;
    await withWriters('api-restart', async () => {
      await sleep(500);
      const t0 = Date.now();
      await compose.run(['restart', 'distilled-api'], { timeoutMs: 60_000 });
      await api.waitReady(60_000);
      readyMs = Date.now() - t0;
      await nextAckAfter(Date.now(), 10_000);
    });
    figure(
      `docker-compose restart distilled-api: ready again ${readyMs} ms after the restart began`,
    );
  });

  it('docker-compose restart distilled-server (every replica, volumes kept): same replicas, no acknowledged write lost', async () => {
    const before = await api.cluster();
    const logEnd = Math.max(...before.nodes.map((n) => n.highWatermark));
    let restartMs = 0;
    let readyMs = 0;
    let inSyncMs = 0;
    await withWriters('restart', async () => {
      await sleep(500);
      const t0 = Date.now();
      await compose.run(['restart', 'distilled-server'], { timeoutMs: 120_000 });
      restartMs = Date.now() - t0;
      await api.waitReady(90_000);
      readyMs = Date.now() - t0;
      await api.waitForCluster('all 5 replicas back in the ISR', allInSync(5), 120_000);
      inSyncMs = Date.now() - t0;
      await nextAckAfter(Date.now(), 10_000);
    });
    const after = await api.cluster();
    expect(after.nodes.map((n) => n.id).sort()).toEqual(before.nodes.map((n) => n.id).sort());
    for (const node of after.nodes) expect(node.logEndOffset).toBeGreaterThanOrEqual(logEnd);
    figure(
      `docker-compose restart of all 5 replicas: the command took ${restartMs} ms; writes taken again after ${readyMs} ms; all in the ISR after ${inSyncMs} ms`,
    );
  });

  it('reads back every acknowledged write, unchanged', async () => {
    // The fill above tops the log up to 5,000 messages; the e2e suites wrote part of them.
    expect(acked.length).toBeGreaterThan(1_000);
    await expectAckedReadable(api, acked);
    figure(`${acked.length} acknowledged writes through the faults, all read back unchanged`);
  });
});
