import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { repoRoot, type ReplicaProcess } from '@distilled/launcher';
import {
  closeReplicaClients,
  dumpOutput,
  readFromReplica,
  startE2eCluster,
  type E2eCluster,
} from './helpers/e2e-cluster';
import { eventually } from './helpers/eventually';

// Retention (apps/server README, "Retention"), with real processes and small segments: writes far
// past the byte limit while a follower is SIGKILLed and restarted, then checks that every
// replica deleted whole segments from the leader's start and stays within the limit plus a
// segment, that reads below the start are 410 with firstOffset (a reader pages from there),
// that a new replica and one whose data lies entirely below the start catch up and rejoin.
const SEGMENT_BYTES = 64 * 1024;
const RETENTION_BYTES = 4 * SEGMENT_BYTES;
const MESSAGE = 'r'.repeat(1000);

function logBytes(replica: ReplicaProcess): number {
  return fs
    .readdirSync(replica.dataDir)
    .filter((name) => name.endsWith('.log'))
    .reduce((sum, name) => sum + fs.statSync(path.join(replica.dataDir, name)).size, 0);
}

describe('retention configuration', () => {
  it.each([
    // The other bad values are parse-server-config.spec.ts's: these two prove the process path.
    ['DISTILLED_RETENTION_BYTES', '10GB'],
    ['DISTILLED_RETENTION_MS', '-5'],
  ])('%s=%s stops the replica at start with one line naming it', (variable, value) => {
    const run = spawnSync(process.execPath, ['dist/apps/server/main.js'], {
      cwd: repoRoot(),
      env: { ...process.env, [variable]: value },
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(run.status).toBe(1);
    const lines = run.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      new RegExp(`^distilled-server: invalid configuration: ${variable}\\b`),
    );
    expect(lines[0]).toContain(`"${value}"`);
  });
});

describe('retention', () => {
  let cluster: E2eCluster;
  /** offset -> message of every acknowledged write. */
  const acked = new Map<number, string>();

  beforeAll(async () => {
    cluster = await startE2eCluster({
      replicas: 3,
      minInsync: 2,
      replicaEnv: {
        DISTILLED_SEGMENT_BYTES: String(SEGMENT_BYTES),
        DISTILLED_RETENTION_BYTES: String(RETENTION_BYTES),
      },
    });
  });
  afterAll(async () => {
    closeReplicaClients();
    await cluster?.stop();
  });

  async function write(count: number, concurrency = 16): Promise<void> {
    let next = 0;
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < count) {
          const i = next++;
          const message = `${i} ${MESSAGE}`;
          const answer = await cluster.api.appendAnswer(message);
          // Only acknowledged writes count; a 503/504 during the follower's restart is allowed.
          if (answer.status === 201) acked.set(answer.body.offset, message);
        }
      }),
    );
  }

  async function leaderStart(): Promise<number> {
    const view = await cluster.api.cluster();
    const leader = view.nodes.find((node) => node.role === 'leader');
    return leader!.logStartOffset;
  }

  /** Stops a follower (SIGTERM) and waits until the ISR goes on without it. */
  async function stopAFollower(): Promise<{ away: ReplicaProcess; endBefore: number }> {
    const local = cluster.local!;
    const leader = await local.waitForLeader();
    const away = local.runningReplicas.find((r) => r.id !== leader.id)!;
    const endBefore = Number((await local.status(away)).log_end_offset);
    await away.stop();
    await local.waitForIsr(
      local.runningReplicas.filter((r) => r.id !== away.id).map((r) => r.id),
      30_000,
    );
    return { away, endBefore };
  }

  /**
   * Writes `step` messages at a time until the leader's log start is past `offset`. After each
   * step it gives the leader's retention check (once a second) time to run before writing more:
   * otherwise a fast writer puts several segments in between two checks, and one check moves
   * the start past more than the test means to (by as much as the write rate allows).
   */
  async function writeUntilStartPasses(offset: number, step: number, timeoutMs: number) {
    await eventually(
      `the leader start to pass ${offset}`,
      async () => {
        await write(step);
        const checked = Date.now() + 1_500;
        while (Date.now() < checked) {
          if ((await leaderStart()) > offset) return true;
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
        return undefined;
      },
      timeoutMs,
    );
  }

  it('deletes whole segments past the limit on every replica, under load, with a follower killed and restarted', async () => {
    const local = cluster.local!;
    try {
      const leader = await local.waitForLeader();
      const follower = local.runningReplicas.find((r) => r.id !== leader.id)!;
      const writing = write(3000);
      await eventually('some writes', async () => (acked.size > 600 ? true : undefined), 60_000);
      await follower.kill('SIGKILL');
      await eventually('more writes', async () => (acked.size > 1600 ? true : undefined), 60_000);
      await follower.start();
      await writing;
      await local.waitForIsr(
        local.runningReplicas.map((r) => r.id),
        60_000,
      );

      const start = await leaderStart();
      expect(start).toBeGreaterThan(0);
      // Every replica follows the leader's start (never past it) and deletes within ~10 s.
      const view = await cluster.api.waitForCluster(
        'every replica at the leader start',
        (v) => v.nodes.every((n) => n.logStartOffset >= start),
        15_000,
      );
      const leaderNode = view.nodes.find((n) => n.role === 'leader')!;
      for (const node of view.nodes) {
        expect(node.logStartOffset).toBeLessThanOrEqual(leaderNode.logStartOffset);
      }
      // Every replica stays within the limit + one segment: a follower rolls its segments
      // between the batches of a fetch response (up to 1 MiB), as the leader does between
      // appends. What was written after the leader's last check (once a second) goes within
      // ~10 s, as the README promises.
      const bound = RETENTION_BYTES + SEGMENT_BYTES;
      await eventually(
        'every replica within its disk bound',
        async () => local.runningReplicas.every((r) => logBytes(r) <= bound) || undefined,
        12_000,
      );
      for (const replica of local.runningReplicas) {
        const bytes = logBytes(replica);
        process.stdout.write(
          `retention: ${replica.id} holds ${bytes} bytes of .log files (limit ${RETENTION_BYTES}, bound ${bound})\n`,
        );
        expect(bytes).toBeLessThanOrEqual(bound);
      }
      // No acknowledged message at or above the start is lost or changed.
      // Read the start again: waiting for the disk bound let the leader move it further.
      // Retention may still move it while this loop reads (the leader checks once a second):
      // a 410 is accepted only when the start it names has passed the offset, and every
      // message from there on is still checked.
      let first = await leaderStart();
      for (const [offset, message] of acked) {
        if (offset < first) continue;
        const answer = await cluster.api.read(offset);
        if (answer.status === 410) {
          const movedTo = (answer.body as unknown as { firstOffset: number }).firstOffset;
          expect(movedTo).toBeGreaterThan(offset);
          first = movedTo;
          continue;
        }
        expect(answer.status).toBe(200);
        expect(answer.body.message).toBe(message);
      }
      const metrics = await cluster.api.request<string>('GET', '/metrics');
      expect(metrics.text).toMatch(/distilled_replica_log_start_offset\{node="[^"]+"\} [1-9]/);
      expect(metrics.text).toMatch(/distilled_replica_segments_deleted\{node="[^"]+"\} [1-9]/);
      expect(metrics.text).toMatch(/distilled_replica_log_size_bytes\{node="[^"]+"\} [1-9]/);
    } catch (error) {
      dumpOutput(local);
      throw error;
    }
  }, 240_000);

  it('a reader paging from 0 gets 410 with firstOffset below the start (also Range and Stream), then pages on from there', async () => {
    const start = await leaderStart();
    const below = await cluster.api.read(0);
    expect(below.status).toBe(410);
    expect(below.headers.get('content-type')).toMatch(/application\/problem\+json/);
    const problem = below.body as unknown as { type: string; firstOffset: number };
    expect(problem.type).toBe('urn:distilled:problem:offset-trimmed');
    expect(problem.firstOffset).toBeGreaterThan(0);
    expect(problem.firstOffset).toBeLessThanOrEqual(start);
    // Range and Stream (by offset, and a reconnect's Last-Event-ID) below the start: the same 410.
    const belowStart: Array<[string, Record<string, string>]> = [
      ['/Data/Range?offset=0', {}],
      ['/Data/Stream?offset=0', {}],
      ['/Data/Stream?offset=end', { 'last-event-id': '0' }],
    ];
    for (const [path, headers] of belowStart) {
      const answer = await cluster.api.request<{ type: string; firstOffset: number }>('GET', path, {
        headers,
        timeoutMs: 10_000,
      });
      expect([path, answer.status]).toEqual([path, 410]);
      expect(answer.body.type).toBe('urn:distilled:problem:offset-trimmed');
      expect(answer.body.firstOffset).toBeGreaterThan(0);
    }
    let offset = problem.firstOffset;
    let read = 0;
    for (;;) {
      const answer = await cluster.api.read(offset);
      if (answer.status === 404) break;
      // A follower may still hold a little below the leader's start: 200 or 410, never 500.
      if (answer.status === 410) {
        offset = (answer.body as unknown as { firstOffset: number }).firstOffset;
        continue;
      }
      expect(answer.status).toBe(200);
      if (acked.has(offset)) expect(answer.body.message).toBe(acked.get(offset));
      offset++;
      read++;
    }
    expect(read).toBeGreaterThan(0);
  }, 120_000);

  it('a follower down while the leader deletes segments (its log still reaching the start) follows the start and rejoins without re-basing', async () => {
    const local = cluster.local!;
    try {
      const startBefore = await leaderStart();
      const { away, endBefore } = await stopAFollower();
      // Write until the leader deleted at least one more segment, but not past what `away` holds.
      await writeUntilStartPasses(startBefore, 20, 60_000);
      const startWhileDown = await leaderStart();
      expect(startWhileDown).toBeLessThanOrEqual(endBefore);
      const seen = away.output.snapshot().length;
      await away.start();
      await local.waitForIsr(
        local.runningReplicas.map((r) => r.id),
        60_000,
      );
      await eventually(
        'the follower at the leader start',
        async () =>
          Number((await local.status(away)).log_start_offset) >= startWhileDown || undefined,
        15_000,
      );
      const since = away.output.snapshot().slice(seen).join('\n');
      expect(since).not.toMatch(/starts empty/);
      const status = await local.status(away);
      expect(Number(status.log_start_offset)).toBeLessThanOrEqual(await leaderStart());
      const offset = Number(status.high_watermark) - 1;
      const last = await readFromReplica(away.address, offset);
      if (acked.has(offset)) expect(Buffer.from(last.message).toString()).toBe(acked.get(offset));
    } catch (error) {
      dumpOutput(local);
      throw error;
    }
  }, 180_000);

  it('a new replica starts from the leader log start, catches up and joins the ISR', async () => {
    const local = cluster.local!;
    try {
      const start = await leaderStart();
      const fresh = await local.addReplica();
      await local.waitForIsr(
        local.runningReplicas.map((r) => r.id),
        60_000,
      );
      const status = await local.status(fresh);
      expect(status.log_start_offset).toBeGreaterThanOrEqual(start);
      expect(status.log_end_offset).toBeGreaterThan(status.log_start_offset);
    } catch (error) {
      dumpOutput(local);
      throw error;
    }
  }, 120_000);

  it('a replica whose data lies entirely below the start re-bases at the leader start and rejoins', async () => {
    const local = cluster.local!;
    try {
      const { away, endBefore } = await stopAFollower();
      await writeUntilStartPasses(endBefore, 200, 120_000);
      await away.start();
      await local.waitForIsr(
        local.runningReplicas.map((r) => r.id),
        60_000,
      );
      const status = await local.status(away);
      expect(status.log_start_offset).toBeGreaterThan(endBefore);
      const answer = await cluster.api.read(status.log_end_offset - 1);
      expect(answer.status).toBe(200);
    } catch (error) {
      dumpOutput(local);
      throw error;
    }
  }, 240_000);
});
