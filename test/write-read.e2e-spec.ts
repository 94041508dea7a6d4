import {
  closeReplicaClients,
  readFromReplica,
  startE2eCluster,
  type E2eCluster,
} from './helpers/e2e-cluster';

// Suite 1: the seed's promise in its plainest form. Offsets are handed out 0, 1, 2, ... in
// the order writes are acknowledged, and every message reads back, through the API and from
// every replica directly.
describe('write and read through the API', () => {
  let cluster: E2eCluster;
  const count = 1000;
  const written: string[] = [];

  beforeAll(async () => {
    cluster = await startE2eCluster({ replicas: 3, minInsync: 2 });
  });
  afterAll(async () => {
    closeReplicaClients();
    await cluster?.stop();
  });

  it('acknowledges 1,000 sequential writes with offsets 0..999 in order', async () => {
    const start = (await cluster.api.cluster()).nodes.find(
      (n) => n.role === 'leader',
    )!.highWatermark;
    for (let i = 0; i < count; i++) {
      const message = `message ${i} ${'·'.repeat(i % 7)}`;
      const offset = await cluster.api.append(message);
      expect(offset).toBe(start + i);
      written.push(message);
    }
  });

  it('reads every message back through the API many times, in any order', async () => {
    const view = await cluster.api.cluster();
    const start = view.nodes.find((n) => n.role === 'leader')!.highWatermark - count;
    const order = [...written.keys(), ...written.keys(), ...written.keys()].sort(
      () => Math.random() - 0.5,
    );
    for (let i = 0; i < order.length; i += 50) {
      await Promise.all(
        order.slice(i, i + 50).map(async (index) => {
          const answer = await cluster.api.read(start + index);
          expect(answer.status).toBe(200);
          expect(answer.body).toEqual({ message: written[index], offset: start + index });
        }),
      );
    }
  });

  it('has the same messages on every replica', async () => {
    if (!cluster.local) return; // replica addresses are not reachable from outside docker
    const view = await cluster.api.cluster();
    const start = view.nodes.find((n) => n.role === 'leader')!.highWatermark - count;
    for (const replica of cluster.local.runningReplicas) {
      for (let i = 0; i < count; i += 37) {
        const answer = await readFromReplica(replica.address, start + i);
        expect(answer.message.toString('utf8')).toBe(written[i]);
      }
    }
  });
});
