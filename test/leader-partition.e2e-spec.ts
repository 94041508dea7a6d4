import { setTimeout as sleep } from 'node:timers/promises';
import { checkHistory } from './faults/checker';
import { startWriters } from './faults/clients';
import { FaultCluster } from './faults/fault-cluster';
import { History, type WriteRecord } from './faults/history';
import { NetLab } from './faults/net-lab';
import { waitApiReady } from './faults/nemesis';
import { appendDirect, closeDirectClients, type DirectAppend } from './faults/replica-rpc';
import { converge, readBack } from './faults/run-faults';

// Defined behaviour: the leader is cut off from etcd but not from its followers (a blackhole
// route in its network namespace, see faults/net-lab.ts). It stops acknowledging writes
// within its lease (DISTILLED_LEASE_TTL, 2 s) plus the commit timeout of appends already
// waiting; another replica takes over; and nothing the old leader accepted after losing
// leadership is ever acknowledged: every write it did acknowledge, directly or through the
// API, is in the final log at its offset.
const LEASE_TTL_MS = 2_000;
const STEP_DOWN_LIMIT_MS = LEASE_TTL_MS + 3_000;
const noNet = process.env.DISTILLED_E2E_URL ? 'an external cluster' : NetLab.unavailableReason();

(noNet ? describe.skip : describe)('leader partitioned from etcd', () => {
  let cluster: FaultCluster | undefined;
  let failed = true;

  beforeAll(async () => {
    cluster = await FaultCluster.start({
      label: 'leader-partition',
      replicas: 3,
      minInsync: 2,
      partitions: true,
    });
    await waitApiReady(cluster.apiUrl, 30_000);
  });
  afterAll(async () => {
    closeDirectClients();
    if (failed && cluster)
      process.stdout.write(`leader-partition: data and logs left in ${cluster.dataRoot}\n`);
    await cluster?.stop(failed);
  });

  it('stops acknowledging within its lease, and nothing it accepts after that is acknowledged', async () => {
    const c = cluster!;
    const net = c.net!;
    const history = new History();
    const leader = await c.local.waitForLeader(20_000);
    const epochBefore = Number((await c.local.status(leader)).epoch);
    const writers = startWriters(c.apiUrl, history, { workers: 3, prefix: 'api', pauseMs: 10 });

    // A client that keeps writing straight to the old leader, as one with a stale view would.
    const direct: Array<{ message: string; start: number; end: number; answer: DirectAppend }> = [];
    let directStop = false;
    const directLoop = (async () => {
      for (let n = 0; !directStop; n++) {
        const message = `direct-${n}`;
        const start = Date.now();
        const answer = await appendDirect(leader.address, message);
        direct.push({ message, start, end: Date.now(), answer });
        if (!answer.ok) await sleep(100);
      }
    })();

    await sleep(1500);
    const cutAt = Date.now();
    net.cut(Number(leader.id.split('-')[1]), ['etcd']);
    history.event('partition', `cut leader ${leader.id} off from etcd only`);

    // The old leader says it is no longer leader within its lease (it is still reachable).
    let steppedDownAt: number | undefined;
    while (Date.now() - cutAt < 15_000) {
      const view = await c.local.status(leader, 1_000).catch(() => undefined);
      if (view && view.role !== 'leader') {
        steppedDownAt = Date.now();
        break;
      }
      await sleep(50);
    }
    // Another replica leads, with a higher epoch, and writes through the API go on.
    const others = c.local.runningReplicas.filter((r) => r !== leader);
    let newLeader: string | undefined;
    let newEpoch = 0;
    for (
      const deadline = Date.now() + 15_000;
      Date.now() < deadline && !newLeader;
      await sleep(100)
    ) {
      for (const other of others) {
        const view = await c.local.status(other, 1_000).catch(() => undefined);
        if (view?.role === 'leader') {
          newLeader = view.id;
          newEpoch = Number(view.epoch);
        }
      }
    }
    await sleep(3000);
    const healAt = Date.now();
    net.heal();
    history.event('heal', 'network healed');
    await c.local.waitForIsr(
      c.local.runningReplicas.map((r) => r.id),
      30_000,
    );
    await sleep(500);
    directStop = true;
    await directLoop;
    await writers.stop();

    // Acknowledged direct writes join the history, so the checker holds them to their offsets.
    for (const d of direct) {
      const write: WriteRecord = d.answer.ok
        ? { kind: 'acked', message: d.message, offset: d.answer.offset, start: d.start, end: d.end }
        : {
            kind: 'unknown',
            message: d.message,
            reason: `gRPC ${d.answer.code} ${d.answer.reason ?? ''}`,
            start: d.start,
            end: d.end,
          };
      history.writes.push(write);
    }
    const end = await converge(c, 30_000);
    const { reads, failures } = await readBack(c, end, 1);
    const check = checkHistory({
      writes: history.writes,
      liveReads: [],
      finalReads: reads,
      logEnd: end,
    });

    const limit = cutAt + STEP_DOWN_LIMIT_MS;
    const lateDirectAcks = direct.filter((d) => d.answer.ok && d.end > limit && d.end < healAt);
    const lastDirectAck = Math.max(
      cutAt,
      ...direct.filter((d) => d.answer.ok && d.end < healAt).map((d) => d.end),
    );
    const firstApiAck = history.writes.find((w) => w.kind === 'acked' && w.start > cutAt)?.end;
    const refusals = new Map<string, number>();
    for (const d of direct.filter((x) => !x.answer.ok && x.start > cutAt && x.end < healAt)) {
      const key = d.answer.ok ? '' : `${d.answer.code}/${d.answer.reason ?? '-'}`;
      refusals.set(key, (refusals.get(key) ?? 0) + 1);
    }
    process.stdout.write(
      `leader-partition: ${leader.id} (epoch ${epochBefore}) cut from etcd; it stepped down ${steppedDownAt ? `${steppedDownAt - cutAt} ms` : 'NEVER (15 s)'} later; ` +
        `${newLeader ?? 'nobody'} leads with epoch ${newEpoch}; its last direct ack came ${lastDirectAck - cutAt} ms after the cut, direct appends after that: ${JSON.stringify(Object.fromEntries(refusals))} (gRPC code/reason); ` +
        `first API ack after the cut ${firstApiAck ? `${firstApiAck - cutAt} ms` : 'never'}; ${check.ackedChecked} acknowledged writes checked (${direct.filter((d) => d.answer.ok).length} direct)\n`,
    );

    expect(steppedDownAt).toBeDefined();
    expect(steppedDownAt! - cutAt).toBeLessThanOrEqual(STEP_DOWN_LIMIT_MS);
    expect(newLeader).toBeDefined();
    expect(newEpoch).toBeGreaterThan(epochBefore);
    expect(
      lateDirectAcks.map(
        (d) =>
          `${d.message} acked at ${d.answer.ok ? d.answer.offset : ''}, ${d.end - cutAt} ms after the cut`,
      ),
    ).toEqual([]);
    expect(firstApiAck).toBeDefined();
    expect(
      [...failures, ...check.violations].map((v) => `${v.kind}: ${v.detail}`).slice(0, 10),
    ).toEqual([]);
    failed = false;
  });
});
