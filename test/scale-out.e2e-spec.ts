import {
  closeReplicaClients,
  dumpOutput,
  readFromReplica,
  startE2eCluster,
  type E2eCluster,
} from './helpers/e2e-cluster';
import { eventually } from './helpers/eventually';

// Suite 2: elastic scaling, the seed's way. A replica added to a running cluster starts
// empty, copies the log from the leader, enters the ISR and serves reads.
describe('scale out', () => {
  let cluster: E2eCluster;
  const count = 10_000;

  beforeAll(async () => {
    cluster = await startE2eCluster({ replicas: 3, minInsync: 2 });
  });
  afterAll(async () => {
    closeReplicaClients();
    await cluster?.stop();
  });

  it('a 4th replica catches up with 10,000 messages, enters the ISR and serves reads', async () => {
    const local = cluster.local!;
    try {
      // 64 concurrent writers: the API coalesces them into batches.
      let next = 0;
      await Promise.all(
        Array.from({ length: 64 }, async () => {
          while (next < count) {
            const i = next++;
            await cluster.api.append(`scale ${i}`);
          }
        }),
      );
      const before = await cluster.api.cluster();
      const end = before.nodes.find((n) => n.role === 'leader')!.highWatermark;
      expect(end).toBe(count);

      const started = Date.now();
      const fourth = await local.addReplica();
      await local.waitForIsr(
        local.runningReplicas.map((r) => r.id),
        60_000,
      );
      const caughtUpMs = Date.now() - started;
      process.stdout.write(
        `scale-out: ${fourth.id} copied ${count} messages and joined the ISR in ${caughtUpMs} ms\n`,
      );

      // It serves reads of the whole log itself, not via the leader.
      await eventually('the new replica to learn the high watermark', async () =>
        (await local.status(fourth)).high_watermark >= count ? true : undefined,
      );
      for (const offset of [0, 1, 4999, 9998, 9999]) {
        const answer = await readFromReplica(fourth.address, offset);
        expect(answer.message.toString()).toMatch(/^scale \d+$/);
      }
      const view = await cluster.api.cluster();
      expect(view.nodes).toHaveLength(4);
      expect(view.nodes.find((n) => n.id === fourth.id)).toEqual(
        expect.objectContaining({ inSync: true, logEndOffset: count }),
      );
    } catch (error) {
      dumpOutput(local);
      throw error;
    }
  });
});
