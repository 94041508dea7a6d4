/**
 * Replication end to end: a real etcd and three replicas from dist/apps/server/main.js, driven over
 * plain gRPC. Every scenario checks the promise of apps/server README, "What it guarantees": an
 * acknowledged message is on every in-sync replica and survives the loss of the leader. Run `npm
 * run build` first.
 */
import { LocalCluster, type ReplicaProcess } from '@distilled/launcher';
import { ErrorReason } from '@distilled/proto';
import { explain } from './helpers/explain';
import { ReplicaCallError } from './helpers/replication-client';
import { setTimeout as sleep } from 'node:timers/promises';
import { eventually } from './helpers/eventually';
import { ReplicationDriver } from './helpers/replication-cluster';

jest.setTimeout(60_000);

const MIN_INSYNC = 2;

describe('replication (3 replicas, MIN_INSYNC=2)', () => {
  let cluster: LocalCluster;
  let driver: ReplicationDriver;
  let counter = 0;
  const next = (prefix: string, count: number) =>
    Array.from({ length: count }, () => `${prefix}-${counter++}`);

  const byId = (id: string): ReplicaProcess => cluster.replica(id);
  const ids = (replicas: ReplicaProcess[]) => replicas.map((replica) => replica.id).sort();

  /** Waits until the leader's ISR is exactly these live replicas and all agree on the leader. */
  const waitForIsr = (replicas: ReplicaProcess[], timeoutMs = 20_000) =>
    cluster.waitForIsr(ids(replicas), timeoutMs);

  beforeAll(async () => {
    cluster = await LocalCluster.start({ replicas: 3, minInsync: MIN_INSYNC, api: false });
    driver = new ReplicationDriver(cluster);
  }, 60_000);

  afterAll(async () => {
    driver?.close();
    for (const replica of cluster?.replicas ?? []) if (replica.isPaused) replica.resume();
    await cluster?.stop();
  }, 60_000);

  it('elects exactly one leader, that every replica names', () =>
    explain(cluster, async () => {
      const leader = await cluster.waitForLeader(20_000);
      const views = await Promise.all(cluster.replicas.map((replica) => driver.status(replica)));
      expect(views.filter((view) => view.role === 'leader').map((view) => view.id)).toEqual([
        leader.id,
      ]);
      for (const view of views) {
        expect(view.leader_id).toBe(leader.id);
        expect(view.epoch).toBe(views[0].epoch);
      }
      await waitForIsr(cluster.replicas);
    }));

  it('puts an acknowledged batch on every ISR member', () =>
    explain(cluster, async () => {
      const response = await driver.append(next('first', 10));
      expect(response.count).toBe(10);
      const status = await waitForIsr(cluster.replicas);
      await driver.expectAllAcknowledgedOn(status.isr.map(byId));
    }));

  it('answers not-leader on a follower, naming the leader', () =>
    explain(cluster, async () => {
      const leader = (await driver.leader())!;
      const follower = driver.live().find((replica) => replica !== leader)!;
      const error = await driver.clients
        .get(follower.address)
        .append(['x'])
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ReplicaCallError);
      expect((error as ReplicaCallError).reason).toBe(ErrorReason.NotLeader);
      expect((error as ReplicaCallError).metadata['distilled-leader-address']).toBe(leader.address);
    }));

  it('drops a stopped (SIGSTOP) follower from the ISR, keeps writing, and takes it back after SIGCONT', () =>
    explain(cluster, async () => {
      const leader = (await driver.leader())!;
      const paused = driver.live().find((replica) => replica !== leader)!;
      const others = cluster.replicas.filter((replica) => replica !== paused);
      paused.pause();
      try {
        await driver.append(next('while-paused', 5), 15_000, 10_000);
        await waitForIsr(others, 10_000);
        await driver.append(next('after-shrink', 5));
      } finally {
        paused.resume();
      }
      await waitForIsr(cluster.replicas, 20_000);
      await driver.expectAllAcknowledgedOn(cluster.replicas);
    }));

  it('survives SIGKILL of the leader: a new leader from the ISR, a higher epoch, nothing acknowledged lost', () =>
    explain(cluster, async () => {
      const before = await waitForIsr(cluster.replicas);
      const leader = byId(before.leader_id);
      const producer = { producerId: 42, sequence: 7 };
      const original = await driver.clients.get(leader.address).append(['idempotent'], producer);
      driver.acknowledged.set(original.base_offset, 'idempotent');
      await leader.kill('SIGKILL');
      const started = Date.now();
      await driver.append(next('after-failover', 3), 20_000);
      const failoverMs = Date.now() - started;
      // A producer's retry after the failover is answered from the log, not appended again.
      const retried = await driver.clients
        .get((await driver.leader())!.address)
        .append(['idempotent'], producer);
      expect(retried).toEqual({ ...original, duplicate: true });
      const after = await driver.status((await driver.leader())!);
      expect(before.isr).toContain(after.id);
      expect(after.id).not.toBe(before.leader_id);
      expect(after.epoch).toBeGreaterThan(before.epoch);
      await driver.expectAllAcknowledgedOn(driver.live());
      process.stdout.write(`failover: first acknowledged append ${failoverMs} ms after SIGKILL\n`);

      // The old leader comes back with its data and rejoins as a follower.
      await leader.start();
      await waitForIsr(cluster.replicas, 20_000);
      expect((await driver.status(leader)).role).toBe('follower');
      await driver.expectAllAcknowledgedOn(cluster.replicas);
    }));

  it('replaces a frozen (SIGSTOP) leader; after SIGCONT it steps down and follows', () =>
    explain(cluster, async () => {
      const before = await waitForIsr(cluster.replicas);
      const leader = byId(before.leader_id);
      leader.pause();
      try {
        await driver.append(next('while-leader-frozen', 3), 20_000);
        const after = await driver.status((await driver.leader())!);
        expect(after.id).not.toBe(leader.id);
        expect(after.epoch).toBeGreaterThan(before.epoch);
      } finally {
        leader.resume();
      }
      await waitForIsr(cluster.replicas, 20_000);
      expect((await driver.status(leader)).role).toBe('follower');
      await driver.expectAllAcknowledgedOn(cluster.replicas);
    }));

  it('cuts the uncommitted tail of an old leader when it rejoins', () =>
    explain(cluster, async () => {
      const before = await waitForIsr(cluster.replicas);
      const leader = byId(before.leader_id);
      const followers = cluster.replicas.filter((replica) => replica !== leader);
      const endBefore = (await driver.status(leader)).log_end_offset;
      // Followers gone (but still in the ISR for a while): the leader writes the batch to its
      // own log only, and dies before it could commit it or shrink the ISR.
      for (const follower of followers) await follower.kill('SIGKILL');
      const doomed = driver.clients
        .get(leader.address)
        .append(['uncommitted-1', 'uncommitted-2'], { timeoutMs: 10_000 })
        .catch((error: unknown) => error);
      await eventually(
        'the leader to append the doomed batch',
        async () => {
          const status = await driver.status(leader);
          return status.log_end_offset >= endBefore + 2 ? status : undefined;
        },
        1_000,
      );
      await leader.kill('SIGKILL');
      expect(await doomed).toBeInstanceOf(Error);
      await Promise.all(followers.map((follower) => follower.start()));

      // A new leader writes over those offsets; the old one must end up agreeing with it. The
      // first follower back can lead before the other re-registers and drop it from the ISR
      // (then MIN_INSYNC refuses writes until it is back): wait for both to be in sync.
      await waitForIsr(followers);
      await driver.append(next('new-epoch', 4), 20_000);
      await leader.start();
      await waitForIsr(cluster.replicas, 20_000);
      await driver.expectAllAcknowledgedOn(cluster.replicas);
      const newLeader = (await driver.leader())!;
      for (let offset = endBefore; offset < endBefore + 2; offset++) {
        const message = await driver.read(leader, offset);
        expect(message).toBe(await driver.read(newLeader, offset));
        expect(message).not.toMatch(/^uncommitted/);
      }
      expect(leader.outputLines().some((line) => line.includes('truncated log from'))).toBe(true);
    }));

  it('brings a replica with an empty directory up to date (100,000 messages) and into the ISR', () =>
    explain(cluster, async () => {
      const batch = Array.from({ length: 1000 }, (_, i) => `bulk-${i}`.padEnd(100, '.'));
      let end = (await driver.status((await driver.leader())!)).log_end_offset;
      while (end < 100_000)
        end = (await driver.append(batch, 15_000, 10_000, false)).base_offset + 1000;
      const started = Date.now();
      const fresh = await cluster.addReplica();
      await eventually(
        `${fresh.id} to catch up to ${end}`,
        async () => {
          const status = await driver.status(fresh);
          return status.log_end_offset >= end ? status : undefined;
        },
        60_000,
      );
      const catchUpMs = Date.now() - started;
      await cluster.waitForIsr([fresh.id], 20_000, { exact: false });
      process.stdout.write(
        `catch-up: ${end} messages in ${catchUpMs} ms (${Math.round(end / (catchUpMs / 1000))} messages/s, process start included)\n`,
      );
      await driver.expectAllAcknowledgedOn([fresh]);
    }));

  it('comes back from SIGKILL of every replica with every acknowledged message', () =>
    explain(cluster, async () => {
      const all = driver.live();
      await Promise.all(all.map((replica) => replica.kill('SIGKILL')));
      await Promise.all(all.map((replica) => replica.start()));
      await waitForIsr(all, 30_000);
      await driver.append(next('after-restart', 2), 20_000);
      await driver.expectAllAcknowledgedOn(all);
    }));

  it('hands leadership over at once when the leader stops gracefully (SIGTERM)', () =>
    explain(cluster, async () => {
      const before = await waitForIsr(driver.live());
      const leader = byId(before.leader_id);
      const started = Date.now();
      const exit = await leader.stop();
      expect(exit?.signal === 'SIGTERM' || exit?.code === 0).toBe(true);
      expect(leader.outputLines().some((line) => line.includes('stopped; log closed'))).toBe(true);
      await driver.append(next('after-handover', 2), 20_000);
      const handoverMs = Date.now() - started;
      process.stdout.write(
        `graceful handover: old leader exited and a new one acknowledged ${handoverMs} ms after SIGTERM\n`,
      );
      expect(handoverMs).toBeLessThan(2_000); // no waiting for the 2 s lease to expire
      await leader.start();
      await waitForIsr(cluster.replicas.filter((replica) => replica.running));
      await driver.expectAllAcknowledgedOn(driver.live());
    }));

  it('refuses appends with not-enough-replicas when only the leader is left, storing nothing', () =>
    explain(cluster, async () => {
      const leader = (await driver.leader())!;
      for (const replica of driver.live()) if (replica !== leader) await replica.kill('SIGKILL');
      await waitForIsr([leader], 20_000);
      const endBefore = (await driver.status(leader)).log_end_offset;
      const error = await driver.clients
        .get(leader.address)
        .append(['refused'])
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ReplicaCallError);
      expect((error as ReplicaCallError).reason).toBe(ErrorReason.NotEnoughReplicas);
      await sleep(100);
      expect((await driver.status(leader)).log_end_offset).toBe(endBefore);
      await driver.expectAllAcknowledgedOn([leader]);
    }));
});
