/**
 * Issue 18: a full disk never corrupts the log or acknowledges a write it could not sync. Every
 * replica runs on its own small tmpfs (root only: it mounts them), so "full" is the kernel's
 * ENOSPC, not a simulation. Proves, against real etcd, replicas and the API:
 *  - the leader's disk fills: writes go on after it hands over to a replica with room, no
 *    acknowledged write is lost (read back from every replica), its log on disk is intact (a copy
 *    reopened), it shows as disk-full in GET /Cluster and /metrics with one log line, and once
 *    space returns it rejoins the ISR by itself;
 *  - every disk full: every write is 507 problem+json, the logs do not change, reads still 200;
 *    space back, writes work again.
 * No tmpfs outlives the suite (afterAll, and a reaper per mount if jest dies; checked at the end).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { LocalCluster, type ReplicaProcess } from '@distilled/launcher';
import { Log } from '@distilled/log-store';
import { ApiClient, type ClusterView } from './helpers/api-client';
import { closeReplicaClients, dumpOutput, readFromReplica } from './helpers/e2e-cluster';
import { eventually } from './helpers/eventually';
import { isRoot, leftoverMounts, Tmpfs, unmountAll } from './helpers/tmpfs';

jest.setTimeout(240_000);

const TMPFS_MB = 24;
const SEGMENT_BYTES = 1024 * 1024;

if (!isRoot) {
  process.stderr.write(
    'disk-full.e2e-spec: SKIPPED, not running as root: it mounts tmpfs data directories (CI runs as root)\n',
  );
}
const describeAsRoot = isRoot ? describe : describe.skip;

type Node = ClusterView['nodes'][number] & { diskFull?: boolean };
const nodeOf = (view: ClusterView, id: string) => view.nodes.find((n) => n.id === id) as Node;
const says = (replica: ReplicaProcess, text: string) =>
  replica.outputLines().filter((line) => line.includes(text)).length;

describeAsRoot('a full disk (each replica on its own tmpfs)', () => {
  const disks = new Map<string, Tmpfs>();
  let cluster: LocalCluster;
  let api: ApiClient;
  /** offset -> message of every acknowledged (201) write. */
  const acked = new Map<number, string>();
  /** message -> the status its write was answered with. */
  const answered = new Map<string, number>();

  async function write(message: string): Promise<number> {
    const answer = await api.appendAnswer(message);
    answered.set(message, answer.status);
    if (answer.status === 201) acked.set(answer.body.offset, message);
    return answer.status;
  }

  /**
   * Every offset of `replica`'s log below `end` holds the message acknowledged there, or one
   * whose write was answered 504 (may or may not be stored): never one answered 503 or 507.
   */
  async function checkLog(address: string, end: number): Promise<void> {
    for (let offset = 0; offset < end; offset++) {
      const message = (await readFromReplica(address, offset)).message.toString();
      if (acked.has(offset)) expect(message).toBe(acked.get(offset));
      else expect(`${message}: ${answered.get(message)}`).toBe(`${message}: 504`);
    }
  }

  beforeAll(async () => {
    for (const id of ['replica-1', 'replica-2', 'replica-3']) disks.set(id, Tmpfs.mount(TMPFS_MB));
    cluster = await LocalCluster.start({
      replicas: 3,
      replicaOptions: (id) => ({ dataDir: disks.get(id)!.dataDir }),
      replicaEnv: { DISTILLED_SEGMENT_BYTES: String(SEGMENT_BYTES) },
      keepData: false,
    });
    api = new ApiClient(cluster.api!.url);
    await api.waitReady(30_000);
    await cluster.waitForIsr(['replica-1', 'replica-2', 'replica-3'], 20_000);
  }, 90_000);

  afterAll(async () => {
    closeReplicaClients();
    await cluster?.stop();
    unmountAll();
    expect(leftoverMounts()).toEqual([]);
  }, 60_000);

  afterEach(() => {
    const state = expect.getState();
    if (cluster && state.assertionCalls !== state.numPassingAsserts) dumpOutput(cluster, 60);
  });

  it('the leader fills up: it hands over, no acknowledged write is lost, its log is intact, it recovers by itself', async () => {
    for (let i = 0; i < 200; i++) expect(await write(`before-${i}`)).toBe(201);
    const view = await api.cluster();
    const fullId = view.leader!;
    const full = cluster.replica(fullId);
    const disk = disks.get(fullId)!;

    disk.fill();
    expect(disk.freeBytes()).toBe(0);
    // Writes keep coming; the first ones meet the full leader (507 / 503, never stored, or 504
    // while it hands over), then the new leader takes them.
    const statuses: number[] = [];
    let after = 0;
    await eventually(
      'writes acknowledged by another leader',
      async () => {
        const status = await write(`after-${after++}`);
        statuses.push(status);
        const leader = (await api.cluster()).leader;
        return status === 201 && leader !== null && leader !== fullId ? true : undefined;
      },
      60_000,
      0,
    );
    for (let i = 0; i < 100; i++) expect(await write(`handed-over-${i}`)).toBe(201);
    expect(statuses.every((s) => [201, 503, 504, 507].includes(s))).toBe(true);

    // Shown where operators look: GET /Cluster, /metrics, one log line.
    const shown = await api.waitForCluster(
      `${fullId} disk-full and out of the ISR`,
      (v) => nodeOf(v, fullId).diskFull === true && !nodeOf(v, fullId).inSync,
      20_000,
    );
    expect(shown.leader).not.toBe(fullId);
    const metrics = await api.request<string>('GET', '/metrics');
    expect(metrics.text).toContain(`distilled_replica_disk_full{node="${fullId}"} 1`);
    expect(says(full, `disk of replica ${fullId} is full`)).toBe(1);
    expect(says(full, 'does not stand for leader')).toBeGreaterThanOrEqual(1);

    // Its log on disk is intact: a copy, reopened, holds acknowledged messages and nothing else.
    const copy = fs.mkdtempSync(path.join(os.tmpdir(), 'disk-full-copy-'));
    try {
      fs.cpSync(disk.dataDir, copy, { recursive: true });
      const log = await Log.open({ dir: copy, segmentBytes: SEGMENT_BYTES });
      expect(log.recoveryCuts).toEqual([]);
      expect(log.logEndOffset).toBeGreaterThanOrEqual(200);
      for (let offset = 0; offset < log.logEndOffset; offset++) {
        const message = (await log.read(offset)).message.toString();
        if (acked.has(offset)) expect(message).toBe(acked.get(offset));
        else expect(`${message}: ${answered.get(message)}`).toBe(`${message}: 504`);
      }
      await log.close();
    } finally {
      fs.rmSync(copy, { recursive: true, force: true });
    }

    // Space comes back: it finds out by itself, rejoins the ISR, catches up.
    disk.empty();
    await api.waitForCluster(
      `${fullId} back in the ISR`,
      (v) => nodeOf(v, fullId).diskFull === undefined && nodeOf(v, fullId).inSync,
      30_000,
    );
    expect(says(full, `disk of replica ${fullId} has room again`)).toBe(1);
    expect(says(full, 'stands for leader again')).toBeGreaterThanOrEqual(1);
    // A refusal of an append that began before the space came back can be reported after the
    // probe that ended the episode, and open a second one until the next append gets through.
    await eventually(`/metrics shows ${fullId} with room`, async () =>
      (await api.request<string>('GET', '/metrics')).text.includes(
        `distilled_replica_disk_full{node="${fullId}"} 0`,
      )
        ? true
        : undefined,
    );

    // Every acknowledged message, from every replica, byte for byte; nothing refused stored.
    const end = Math.max(...acked.keys()) + 1;
    for (const replica of cluster.replicas) {
      await eventually(`${replica.id} holds offset ${end - 1}`, async () => {
        const status = await cluster.status(replica);
        return status.high_watermark >= end ? true : undefined;
      });
      await checkLog(replica.address, end);
    }
  });

  it('every disk full: each write is 507 problem+json, the logs stay as they were, reads go on', async () => {
    for (const disk of disks.values()) disk.fill();

    // The leaders hand over while one with room may exist; then the last one answers 507. (A
    // few writes may still fit in the last, already allocated page of a segment file: those are
    // acknowledged, and checked below like every other.)
    let n = 0;
    const problem = await eventually(
      'a 507',
      async () => {
        const message = `all-full-${n++}`;
        const answer = await api.appendAnswer(message);
        answered.set(message, answer.status);
        if (answer.status === 201) acked.set(answer.body.offset, message);
        expect([201, 503, 504, 507]).toContain(answer.status);
        return answer.status === 507 ? answer : undefined;
      },
      60_000,
      0,
    );
    expect(problem.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(problem.body).toMatchObject({
      type: 'urn:distilled:problem:disk-full',
      status: 507,
    });
    const body = problem.body as unknown as { detail: string; replica: string };
    expect(body.detail).toMatch(new RegExp(`disk of replica ${body.replica} .*is full`));
    expect(body.detail).toMatch(/NOT stored/);

    const full = await api.waitForCluster(
      'every replica disk-full',
      (v) => v.nodes.every((n) => (n as Node).diskFull === true),
      30_000,
    );
    const ends = new Map(full.nodes.map((n) => [n.id, n.logEndOffset]));
    for (let i = 0; i < 5; i++) {
      const answer = await api.appendAnswer(`refused-${i}`);
      answered.set(`refused-${i}`, answer.status);
      expect(answer.status).toBe(507);
      expect(answer.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    }
    const still = await api.cluster();
    for (const node of still.nodes) expect(node.logEndOffset).toBe(ends.get(node.id));
    // Reads keep working.
    for (const offset of [0, Math.max(...acked.keys())]) {
      const read = await api.read(offset);
      expect(read.status).toBe(200);
      expect(read.body.message).toBe(acked.get(offset));
    }
    const range = await api.request<{ messages: unknown[] }>(
      'GET',
      '/Data/Range?offset=0&limit=50',
    );
    expect(range.status).toBe(200);
    expect(range.body.messages).toHaveLength(50);

    // Space back on every disk: writes are taken again, without a restart.
    for (const disk of disks.values()) disk.empty();
    await eventually(
      'a write acknowledged after space returned',
      async () => ((await write('space-again')) === 201 ? true : undefined),
      30_000,
      200,
    );
    await api.waitForCluster(
      'every replica has room and is in the ISR',
      (v) => v.nodes.every((n) => (n as Node).diskFull === undefined && n.inSync),
      30_000,
    );
    const last = Math.max(...acked.keys());
    expect((await api.read(last)).body.message).toBe(acked.get(last));
    // Every log: what was acknowledged where it was, nothing refused (503/507) anywhere.
    const end = Math.max(...(await api.cluster()).nodes.map((n) => n.logEndOffset));
    for (const replica of cluster.replicas) {
      await eventually(`${replica.id} holds offset ${end - 1}`, async () => {
        const status = await cluster.status(replica);
        return status.high_watermark >= end ? true : undefined;
      });
      await checkLog(replica.address, end);
    }
  });
});

afterAll(() => {
  // Also when a beforeAll failed: nothing of ours stays mounted.
  unmountAll();
  if (isRoot) expect(leftoverMounts()).toEqual([]);
});
