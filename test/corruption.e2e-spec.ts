/**
 * Issue 7: a replica whose log lost committed messages (a corrupt segment cut by recovery, or a
 * damaged batch found by a read) must neither serve reads nor lead until it has fetched them
 * again from the leader, and must say so in its log; every acknowledged message survives.
 * Real etcd, real replicas from dist/ (run `npm run build` first), driven over plain gRPC.
 */
import { LocalCluster, type ReplicaProcess } from '@distilled/launcher';
import { ErrorReason } from '@distilled/proto';
import { explain } from './helpers/explain';
import { ReplicaCallError } from './helpers/replication-client';
import { setTimeout as sleep } from 'node:timers/promises';
import { eventually } from './helpers/eventually';
import { ReplicationDriver } from './helpers/replication-cluster';
import { checkpointOf, corruptBatch, segmentFiles } from './helpers/segment-files';

jest.setTimeout(120_000);

const MIN_INSYNC = 2;
const LOST = 'the log lost committed messages';
const REPAIRED = 'repaired: re-fetched offsets';

/** `count` acknowledged messages, `batch` per Append, ~100 bytes each. */
async function writeAcknowledged(driver: ReplicationDriver, prefix: string, count: number) {
  for (let written = 0; written < count; written += 50) {
    const messages = Array.from({ length: Math.min(50, count - written) }, (_, i) =>
      `${prefix}-${written + i}-`.padEnd(100, 'x'),
    );
    await driver.append(messages, 20_000);
  }
}

const says = (replica: ReplicaProcess, text: string) =>
  replica.outputLines().some((line) => line.includes(text));

/** The last lines of every replica, for a failed expectation to show what happened. */
/** Reads `offset` straight from `replica` and returns the refusal. */
async function refusal(
  driver: ReplicationDriver,
  replica: ReplicaProcess,
  offset: number,
): Promise<ReplicaCallError> {
  const error = await driver.clients
    .get(replica.address)
    .read(offset)
    .then(
      () => undefined,
      (e: unknown) => e,
    );
  if (!(error instanceof ReplicaCallError)) {
    throw new Error(`${replica.id} served offset ${offset}; expected a refusal (${String(error)})`);
  }
  return error;
}

describe('a replica whose log lost committed messages (3 replicas, MIN_INSYNC=2)', () => {
  describe('found at start: recovery cut a corrupt segment below the high watermark', () => {
    let cluster: LocalCluster;
    let driver: ReplicationDriver;

    beforeAll(async () => {
      cluster = await LocalCluster.start({ replicas: 3, minInsync: MIN_INSYNC, api: false });
      driver = new ReplicationDriver(cluster);
    }, 60_000);

    afterAll(async () => {
      driver?.close();
      await cluster?.stop();
    }, 60_000);

    it('never leads although in the ISR, refuses reads, says why; repairs from an intact leader', () =>
      explain(cluster, async () => {
        const all = cluster.replicas;
        await cluster.waitForIsr(
          all.map((r) => r.id),
          20_000,
        );
        await writeAcknowledged(driver, 'start', 2000);
        const total = driver.acknowledged.size;
        // Every replica checkpoints the HW it knows (lazily): wait until all three have it.
        await eventually(
          'every HW checkpoint at the log end',
          async () => (all.every((r) => checkpointOf(r.dataDir) >= total) ? true : undefined),
          10_000,
        );
        const damaged = (await driver.leader())!;
        const [intact, third] = all.filter((r) => r !== damaged);
        await Promise.all(all.map((r) => r.kill('SIGKILL')));

        const [segment] = segmentFiles(damaged.dataDir);
        const batch = corruptBatch(segment, 0.5);
        expect(batch.baseOffset).toBeGreaterThan(0);
        expect(batch.baseOffset).toBeLessThan(total);

        // Alone, in the ISR etcd still holds, with a log cut below its high watermark.
        await damaged.start();
        const watchUntil = Date.now() + 4_000;
        let status = await driver.status(damaged);
        while (Date.now() < watchUntil) {
          status = await driver.status(damaged);
          expect(status.role).not.toBe('leader');
          await sleep(200);
        }
        expect(status.isr).toContain(damaged.id);
        expect(status.log_end_offset).toBe(batch.baseOffset);
        expect(status.problem).toContain(`${LOST} ${batch.baseOffset}..${total - 1}`);
        const refused = await refusal(driver, damaged, 0); // an offset it still holds
        expect(refused.reason).toBe(ErrorReason.Repairing);
        expect(refused.code).toBe(14); // UNAVAILABLE: try another replica
        expect(says(damaged, `${LOST} ${batch.baseOffset}..${total - 1}`)).toBe(true);
        expect(says(damaged, 'recovery cut it back')).toBe(true);
        expect(says(damaged, 'no leader to re-fetch')).toBe(true);

        // An intact in-sync replica comes back: it leads, and the damaged one repairs from it.
        await intact.start();
        expect((await cluster.waitForLeader(20_000)).id).toBe(intact.id);
        await eventually(
          `${damaged.id} to repair`,
          async () => {
            const now = await driver.status(damaged);
            return now.problem === '' && says(damaged, REPAIRED) ? now : undefined;
          },
          20_000,
        );
        expect(
          says(damaged, `${REPAIRED} ${batch.baseOffset}..${total - 1} from leader ${intact.id}`),
        ).toBe(true);
        await third.start();
        await cluster.waitForIsr(
          all.map((r) => r.id),
          30_000,
        );
        await driver.expectAllAcknowledgedOn(all);
      }));
  });

  describe('found at run time by a read, in a closed segment (64 KiB segments)', () => {
    let cluster: LocalCluster;
    let driver: ReplicationDriver;

    beforeAll(async () => {
      cluster = await LocalCluster.start({
        replicas: 3,
        minInsync: MIN_INSYNC,
        api: false,
        replicaEnv: { DISTILLED_SEGMENT_BYTES: String(64 * 1024) },
      });
      driver = new ReplicationDriver(cluster);
      await cluster.waitForIsr(
        cluster.replicas.map((r) => r.id),
        20_000,
      );
      await writeAcknowledged(driver, 'runtime', 3000);
    }, 90_000);

    afterAll(async () => {
      driver?.close();
      await cluster?.stop();
    }, 60_000);

    /** Damages a batch in the first (closed) segment of `replica` and reads it there. */
    async function damageAndRead(replica: ReplicaProcess) {
      const total = driver.acknowledged.size;
      await eventually(
        `${replica.id} to hold and commit everything`,
        async () => {
          const status = await driver.status(replica);
          return status.log_end_offset >= total && status.high_watermark >= total
            ? status
            : undefined;
        },
        10_000,
      );
      const segments = segmentFiles(replica.dataDir);
      expect(segments.length).toBeGreaterThan(2);
      const batch = corruptBatch(segments[0], 0.5);
      const error = await refusal(driver, replica, batch.baseOffset);
      // The read that finds it says the log is corrupt; later ones that the replica repairs.
      expect([ErrorReason.Corrupted, ErrorReason.Repairing]).toContain(error.reason);
      return { batch, total };
    }

    it('a follower refuses, cuts its log, re-fetches, and all replicas converge', () =>
      explain(cluster, async () => {
        const leader = (await driver.leader())!;
        const follower = cluster.replicas.find((r) => r !== leader)!;
        const { batch, total } = await damageAndRead(follower);
        await eventually(
          `${follower.id} to repair`,
          async () => {
            const status = await driver.status(follower);
            return status.problem === '' && says(follower, REPAIRED) ? status : undefined;
          },
          20_000,
        );
        expect(says(follower, `${LOST} ${batch.baseOffset}..${total - 1}`)).toBe(true);
        expect(says(follower, 'found by a client read')).toBe(true);
        expect((await driver.leader())?.id).toBe(leader.id); // nothing else had to change
        await writeAcknowledged(driver, 'after-follower-repair', 100);
        await cluster.waitForIsr(
          cluster.replicas.map((r) => r.id),
          20_000,
        );
        await driver.expectAllAcknowledgedOn(cluster.replicas);
      }));

    it('a leader steps down first, another leads, it repairs as a follower; nothing acknowledged lost', () =>
      explain(cluster, async () => {
        const before = await cluster.waitForIsr(
          cluster.replicas.map((r) => r.id),
          20_000,
        );
        const leader = cluster.replica(before.leader_id);
        const { batch, total } = await damageAndRead(leader);
        const next = await eventually(
          'another leader',
          async () => {
            const found = await driver.leader();
            return found && found !== leader ? found : undefined;
          },
          20_000,
        );
        expect((await driver.status(next)).epoch).toBeGreaterThan(before.epoch);
        await eventually(
          `${leader.id} to repair`,
          async () => {
            const status = await driver.status(leader);
            return status.problem === '' && status.role === 'follower' && says(leader, REPAIRED)
              ? status
              : undefined;
          },
          20_000,
        );
        expect(says(leader, `${LOST} ${batch.baseOffset}..${total - 1}`)).toBe(true);
        await writeAcknowledged(driver, 'after-leader-repair', 100);
        await cluster.waitForIsr(
          cluster.replicas.map((r) => r.id),
          20_000,
        );
        await driver.expectAllAcknowledgedOn(cluster.replicas);
      }));
  });
});
