import { setTimeout as sleep } from 'node:timers/promises';
import { dumpOutput, startE2eCluster, type E2eCluster } from './helpers/e2e-cluster';
import { expectAckedReadable, startWriters } from './helpers/writers';

// Suite 3: the leader dies (SIGKILL, no goodbye) in the middle of concurrent writes. A new
// leader takes over within seconds and every acknowledged write is still at its offset.
describe('leader failover', () => {
  let cluster: E2eCluster;

  beforeAll(async () => {
    cluster = await startE2eCluster({ replicas: 3, minInsync: 2 });
  });
  afterAll(async () => {
    await cluster?.stop();
  });

  it('keeps every acknowledged write through a SIGKILL of the leader', async () => {
    const local = cluster.local!;
    try {
      const oldLeader = await local.waitForLeader();
      const epochBefore = (await local.status(oldLeader)).epoch;
      const writers = startWriters(cluster.api, { workers: 16, prefix: 'failover' });
      await sleep(1500);

      const killedAt = Date.now();
      await oldLeader.kill('SIGKILL');
      const newLeader = await local.waitForLeader(15_000);
      await sleep(3000);
      const run = await writers.stop();

      expect(newLeader.id).not.toBe(oldLeader.id);
      expect((await local.status(newLeader)).epoch).toBeGreaterThan(epochBefore);
      const acked = run.acked();
      const firstAfter = acked.filter((w) => w.at > killedAt).sort((a, b) => a.at - b.at)[0];
      expect(firstAfter).toBeDefined();
      const failoverMs = firstAfter.at - killedAt;
      process.stdout.write(
        `failover: ${oldLeader.id} killed; ${newLeader.id} leads; first acknowledged write after the kill came ${failoverMs} ms later (${acked.length} acknowledged, ${run.outcomes.length - acked.length} refused or unknown)\n`,
      );
      expect(failoverMs).toBeLessThan(10_000);
      await expectAckedReadable(cluster.api, acked);

      // The old leader comes back with its data and rejoins as a follower.
      await oldLeader.start();
      await local.waitForIsr(
        local.runningReplicas.map((r) => r.id),
        30_000,
      );
      expect((await local.status(oldLeader)).role).toBe('follower');
      await expectAckedReadable(cluster.api, acked);
    } catch (error) {
      dumpOutput(local);
      throw error;
    }
  });
});
