/**
 * An unclean restart (Kafka KIP-966): a replica's data directory is wiped (a replaced disk) and
 * it comes back under the same DISTILLED_NODE_ID while etcd still lists it in the ISR. It holds
 * none of the committed messages and no HW checkpoint, so only the incarnation recorded in the
 * ISR can tell it apart from the replica that was in sync. It must not lead until it has caught
 * up; an intact in-sync replica leads, and every acknowledged message survives.
 *
 * To keep it in the ISR, every replica dies at once (SIGKILL: no leader is left to drop it),
 * then the wiped one comes back first, alone: the moment where, without incarnations, it was
 * elected with an empty log and the others truncated theirs to it.
 * Real etcd, real replicas from dist/ (run `npm run build` first), driven over plain gRPC.
 */
import { rmSync } from 'node:fs';
import { LocalCluster, type ReplicaProcess } from '@distilled/launcher';
import { explain } from './helpers/explain';
import { setTimeout as sleep } from 'node:timers/promises';
import { eventually } from './helpers/eventually';
import { ReplicationDriver } from './helpers/replication-cluster';

jest.setTimeout(120_000);

const MIN_INSYNC = 2;
/** Long enough for the dead processes' election leases (TTL 2 s) to expire and a vote to run. */
const WATCH_MS = 6_000;
const NOT_STANDING = 'not standing for leader until it has caught up';

const says = (replica: ReplicaProcess, text: string) =>
  replica.outputLines().some((line) => line.includes(text));

async function writeAcknowledged(driver: ReplicationDriver, prefix: string, count: number) {
  for (let written = 0; written < count; written += 50) {
    const messages = Array.from(
      { length: Math.min(50, count - written) },
      (_, i) => `${prefix}-${written + i}`,
    );
    await driver.append(messages, 20_000);
  }
}

describe('a replica restarted on a wiped data directory while in the ISR (3 replicas, MIN_INSYNC=2)', () => {
  let cluster: LocalCluster;
  let driver: ReplicationDriver;

  beforeEach(async () => {
    cluster = await LocalCluster.start({ replicas: 3, minInsync: MIN_INSYNC, api: false });
    driver = new ReplicationDriver(cluster);
  }, 60_000);

  afterEach(async () => {
    driver?.close();
    await cluster?.stop();
  }, 60_000);

  it.each(['a follower', 'the leader'])(
    'wiped %s never leads while it lacks committed data; nothing acknowledged is lost',
    (which) =>
      explain(cluster, async () => {
        const all = cluster.replicas;
        await cluster.waitForIsr(
          all.map((r) => r.id),
          20_000,
        );
        await writeAcknowledged(driver, 'before', 500);
        const leader = (await driver.leader())!;
        const followers = all.filter((r) => r !== leader);
        const wiped = which === 'the leader' ? leader : followers[0];
        const intact = followers.find((r) => r !== wiped)!;
        await Promise.all(all.map((r) => r.kill('SIGKILL')));
        rmSync(wiped.dataDir, { recursive: true, force: true });

        // Alone, with an empty log, in the ISR etcd still holds.
        await wiped.start();
        const watchUntil = Date.now() + WATCH_MS;
        let status = await driver.status(wiped);
        while (Date.now() < watchUntil) {
          status = await driver.status(wiped);
          expect(status.role).not.toBe('leader');
          await sleep(200);
        }
        expect(status.isr).toContain(wiped.id);
        expect(status.log_end_offset).toBe(0);
        expect(says(wiped, NOT_STANDING)).toBe(true);

        // An intact in-sync replica comes back: it leads, the wiped one catches up and rejoins.
        await intact.start();
        expect((await cluster.waitForLeader(20_000)).id).toBe(intact.id);
        await eventually(
          `${wiped.id} to catch up`,
          async () => {
            const now = await driver.status(wiped);
            return now.log_end_offset >= driver.acknowledged.size ? now : undefined;
          },
          20_000,
        );
        const others = all.filter((r) => r !== wiped && r !== intact);
        await Promise.all(others.map((r) => r.start()));
        await cluster.waitForIsr(
          all.map((r) => r.id),
          30_000,
        );
        // The new leader dropped it for its new directory and took it back once caught up.
        expect(says(wiped, 'a new, empty data directory: created incarnation')).toBe(true);
        expect(says(intact, `removed ${wiped.id} from ISR: its data directory changed`)).toBe(true);
        expect(says(intact, `added ${wiped.id} to ISR with incarnation`)).toBe(true);
        await writeAcknowledged(driver, 'after', 100);
        await driver.expectAllAcknowledgedOn(all);
      }),
  );
});
