import { dumpOutput, startE2eCluster, type E2eCluster } from './helpers/e2e-cluster';
import { eventually } from './helpers/eventually';
import { expectAckedReadable, startWriters } from './helpers/writers';

// Suite 4: a follower that freezes (SIGSTOP, like a long GC pause) must not stall writes: it
// leaves the ISR and comes back after SIGCONT. A follower that dies catches up on restart.
describe('follower faults', () => {
  let cluster: E2eCluster;

  beforeAll(async () => {
    cluster = await startE2eCluster({ replicas: 3, minInsync: 2 });
  });
  afterAll(async () => {
    await cluster?.stop();
  });

  it('a paused follower leaves the ISR, writes go on, and it returns after SIGCONT', async () => {
    const local = cluster.local!;
    try {
      const leader = await local.waitForLeader();
      const follower = local.runningReplicas.find((r) => r.id !== leader.id)!;
      const others = local.runningReplicas.filter((r) => r.id !== follower.id).map((r) => r.id);
      const writers = startWriters(cluster.api, { workers: 8, prefix: 'paused' });

      follower.pause();
      await local.waitForIsr(others, 15_000);
      const duringPause = await cluster.api.append('written while a follower is paused');
      expect(duringPause).toBeGreaterThan(0);

      follower.resume();
      await local.waitForIsr(
        local.runningReplicas.map((r) => r.id),
        30_000,
      );
      const run = await writers.stop();
      expect(run.acked().length).toBeGreaterThan(0);
      await expectAckedReadable(cluster.api, run.acked());
    } catch (error) {
      dumpOutput(local);
      throw error;
    }
  });

  it('a killed follower restarts with its data and catches up', async () => {
    const local = cluster.local!;
    try {
      const leader = await local.waitForLeader();
      const follower = local.runningReplicas.find((r) => r.id !== leader.id)!;
      await follower.kill('SIGKILL');
      const writers = startWriters(cluster.api, {
        workers: 8,
        prefix: 'killed',
        maxMessages: 2000,
      });
      const run = await writers.done();
      // Writes may stall (and a few time out as 504) until the dead follower leaves the ISR;
      // none may be refused, and every acknowledged one must be readable below.
      expect(run.outcomes.filter((o) => o.kind === 'refused')).toEqual([]);
      expect(run.acked().length).toBeGreaterThan(1900);

      await follower.start();
      await local.waitForIsr(
        local.runningReplicas.map((r) => r.id),
        30_000,
      );
      const leaderEnd = (await local.status(leader)).log_end_offset;
      await eventually('the restarted follower to reach the leader', async () =>
        (await local.status(follower)).log_end_offset >= leaderEnd ? true : undefined,
      );
      await expectAckedReadable(cluster.api, run.acked());
    } catch (error) {
      dumpOutput(local);
      throw error;
    }
  });
});
