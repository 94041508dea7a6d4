/**
 * Fast failover after a SIGKILL (apps/server README, "Failover"): the dead leader's port refuses
 * connections, so its followers revoke its etcd leases and the election goes on at once instead
 * of waiting out the lease. The lease here is 4 s, so the TTL path alone cannot pass the bound;
 * the bound (2 s) leaves a loaded CI host room for the 150 ms refusal window, the election, the
 * claim and the first commit. Run `npm run build` first.
 */
import { LocalCluster } from '@distilled/launcher';
import { explain } from './helpers/explain';
import { ReplicationDriver } from './helpers/replication-cluster';

jest.setTimeout(90_000);

const LEASE_TTL_SECONDS = 4;
const FAILOVER_BOUND_MS = 2_000;

describe('failover on a refused connection (3 replicas, MIN_INSYNC=2, 4 s lease)', () => {
  let cluster: LocalCluster;
  let driver: ReplicationDriver;
  const lines: Array<{ source: string; line: string }> = [];

  beforeAll(async () => {
    cluster = await LocalCluster.start({
      replicas: 3,
      minInsync: 2,
      api: false,
      replicaEnv: { DISTILLED_LEASE_TTL: String(LEASE_TTL_SECONDS) },
      onOutput: (source, line) => lines.push({ source, line }),
    });
    driver = new ReplicationDriver(cluster);
  }, 60_000);

  afterAll(async () => {
    driver?.close();
    await cluster?.stop();
  }, 60_000);

  it('acknowledges the next write well within the lease after a SIGKILL of the leader, losing nothing', () =>
    explain(cluster, async () => {
      const before = await cluster.waitForIsr(['replica-1', 'replica-2', 'replica-3'], 30_000);
      for (let i = 0; i < 20; i++) await driver.append([`before-${i}`]);
      const leader = cluster.replica(before.leader_id);

      await leader.kill('SIGKILL');
      const killedAt = Date.now();
      await driver.append(['after-kill'], 20_000);
      const failoverMs = Date.now() - killedAt;
      process.stdout.write(
        `failover (refused connection, ${LEASE_TTL_SECONDS} s lease): first acknowledged append ${failoverMs} ms after SIGKILL\n`,
      );

      const revokes = lines.filter(
        ({ source, line }) =>
          source !== leader.id && line.includes(`of leader ${leader.id} (epoch ${before.epoch})`),
      );
      // Both followers may race; each lease is revoked once, by one of them.
      expect(revokes.length).toBeGreaterThanOrEqual(1);
      for (const { line } of revokes) {
        expect(line).toMatch(/revoked the etcd lease\(s\) .* connections to .* refused over/);
      }
      expect(failoverMs).toBeLessThan(FAILOVER_BOUND_MS);
      const after = await driver.status((await driver.leader())!);
      expect(after.epoch).toBeGreaterThan(before.epoch);
      await driver.expectAllAcknowledgedOn(driver.live());

      // The old leader comes back with its data and rejoins as a follower.
      await leader.start();
      await cluster.waitForIsr(['replica-1', 'replica-2', 'replica-3'], 30_000);
      await driver.expectAllAcknowledgedOn(cluster.replicas);
    }));
});
