import { setTimeout as sleep } from 'node:timers/promises';
import { checkHistory } from './faults/checker';
import { readDirect, readThroughApi, startWriters, writeOnce } from './faults/clients';
import { FaultCluster } from './faults/fault-cluster';
import { History, type WriteRecord } from './faults/history';
import { waitApiReady } from './faults/nemesis';
import { converge, readBack } from './faults/run-faults';

// Defined behaviour: etcd unavailable. Reads keep working from every replica (and through
// the API); writes are refused with 503, never accepted and lost, once the leader's lease
// (DISTILLED_LEASE_TTL, 2 s) has run out; when etcd returns the cluster recovers by itself.
const LEASE_TTL_MS = 2_000;
/** After the lease, in-flight appends may still wait out the commit timeout (4 s). */
const GRACE_MS = LEASE_TTL_MS + 5_000;
const STRICT_MS = 6_000;
const external = !!process.env.DISTILLED_E2E_URL;

(external ? describe.skip : describe)('etcd unavailable', () => {
  let cluster: FaultCluster | undefined;
  let failed = true;

  beforeAll(async () => {
    cluster = await FaultCluster.start({ label: 'etcd-outage', replicas: 3, minInsync: 2 });
    await waitApiReady(cluster.apiUrl, 30_000);
  });
  afterAll(async () => {
    if (failed && cluster)
      process.stdout.write(`etcd-outage: data and logs left in ${cluster.dataRoot}\n`);
    await cluster?.stop(failed);
  });

  it('keeps reads working, refuses writes with 503 while etcd is down, and recovers by itself', async () => {
    const c = cluster!;
    const history = new History();
    for (let i = 0; i < 50; i++) history.writes.push(await writeOnce(c.apiUrl, `before-${i}`));
    const before = history.writes.filter(
      (w): w is WriteRecord & { kind: 'acked' } => w.kind === 'acked',
    );
    expect(before).toHaveLength(50);

    const writers = startWriters(c.apiUrl, history, {
      workers: 3,
      prefix: 'outage',
      pauseMs: 20,
      // Each write once: the test counts how writes started after the lease are answered.
      once: true,
    });
    await sleep(500);
    const etcd = c.local.etcd!;
    const downAt = Date.now();
    etcd.signal('SIGKILL');
    history.event('restart-etcd', 'SIGKILL etcd');
    await sleep(GRACE_MS);

    // Past the lease: reads from every replica and through the API, while writes are refused.
    const strictFrom = Date.now();
    const badReads: string[] = [];
    for (const write of before) {
      for (const replica of c.local.runningReplicas) {
        const got = await readDirect(replica.address, write.offset);
        if (got !== write.message)
          badReads.push(`${replica.id} offset ${write.offset}: ${JSON.stringify(got)}`);
      }
      const got = await readThroughApi(c.apiUrl, write.offset);
      if (got !== write.message)
        badReads.push(`API offset ${write.offset}: ${JSON.stringify(got)}`);
    }
    await sleep(Math.max(0, strictFrom + STRICT_MS - Date.now()));
    const strictUntil = Date.now();
    const upAt = Date.now();
    await etcd.start();
    history.event('heal', 'etcd started');

    // Recovery: the first acknowledged write after etcd is back.
    const recovered = await waitForAck(history, upAt, 30_000);
    await sleep(1000);
    await writers.stop();

    // Writes begun after the lease ran out: refused with 503, or (if the API held them until
    // etcd was back) acknowledged after it returned; never a 504 or a timeout.
    const strict = history.writes.filter((w) => w.start >= strictFrom && w.start < strictUntil);
    const notRefused = strict.filter(
      (w) => !(w.kind === 'refused' && w.status === 503) && !(w.kind === 'acked' && w.end > upAt),
    );
    const slowest = Math.max(0, ...strict.map((w) => w.end - w.start));
    const lastAck = Math.max(
      ...history.writes.filter((w) => w.kind === 'acked' && w.end < upAt).map((w) => w.end),
    );
    const end = await converge(c, 30_000);
    const { reads, failures } = await readBack(c, end, 1);
    const check = checkHistory({
      writes: history.writes,
      liveReads: [],
      finalReads: reads,
      logEnd: end,
    });

    const kinds = (list: WriteRecord[]) =>
      list.reduce<Record<string, number>>((n, w) => {
        const key =
          w.kind === 'refused'
            ? `refused ${w.status}`
            : w.kind === 'unknown'
              ? `unknown ${w.reason}`
              : 'acked';
        n[key] = (n[key] ?? 0) + 1;
        return n;
      }, {});
    process.stdout.write(
      `etcd-outage: etcd down ${upAt - downAt} ms; writes in the grace period ${JSON.stringify(kinds(history.writes.filter((w) => w.start >= downAt && w.start < strictFrom)))}, the last acknowledged ${lastAck - downAt} ms after etcd died; ` +
        `after the lease ${JSON.stringify(kinds(strict))} (slowest answer ${slowest} ms); ${before.length * (c.local.runningReplicas.length + 1)} reads during the outage, ${badReads.length} wrong; ` +
        `first acknowledged write ${recovered === undefined ? 'never came' : `${recovered - upAt} ms`} after etcd returned; ${check.ackedChecked} acknowledged writes checked\n`,
    );

    expect(badReads.slice(0, 10)).toEqual([]);
    expect(strict.length).toBeGreaterThan(0);
    expect(notRefused.map((w) => history.describeWrite(w)).slice(0, 10)).toEqual([]);
    expect(recovered).toBeDefined();
    expect(
      [...failures, ...check.violations].map((v) => `${v.kind}: ${v.detail}`).slice(0, 10),
    ).toEqual([]);
    failed = false;
  });
});

async function waitForAck(
  history: History,
  after: number,
  timeoutMs: number,
): Promise<number | undefined> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const ack = history.writes.find((w) => w.kind === 'acked' && w.start >= after);
    if (ack) return ack.end;
    await sleep(100);
  }
  return undefined;
}
