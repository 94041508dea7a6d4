import type { IKeyValue } from 'etcd3';
import { EtcdFixture, MemoryLogger, uniqueCluster, waitFor } from '../test/etcd-fixture';
import { createEtcdClient } from './etcd.provider';
import { WatchedRange } from './watched-range';

describe('WatchedRange', () => {
  const fx = new EtcdFixture();
  const ranges: WatchedRange[] = [];
  beforeAll(() => fx.start());
  afterEach(async () => {
    await Promise.all(ranges.splice(0).map((r) => r.close()));
    fx.closeClients();
  });
  afterAll(() => fx.stop());

  function watch(prefix: string, client = fx.client()) {
    const seen: string[][] = [];
    const range = new WatchedRange(client, {
      prefix,
      what: 'test keys',
      logger: new MemoryLogger(),
      onChange: (kvs: ReadonlyMap<string, IKeyValue>) =>
        seen.push([...kvs.entries()].map(([k, kv]) => `${k}=${kv.value.toString()}`).sort()),
    });
    ranges.push(range);
    return { range, seen };
  }

  describe('start', () => {
    it('reports the current keys once read, then one change per etcd transaction', async () => {
      const prefix = `/${uniqueCluster()}/`;
      const client = fx.client();
      await client.put(`${prefix}a`).value('1').exec();
      const { range, seen } = watch(prefix);
      await range.start();
      expect(seen).toEqual([[`${prefix}a=1`]]);

      await client
        .if(`${prefix}a`, 'Version', '>', 0)
        .then(client.put(`${prefix}b`).value('2'), client.delete().key(`${prefix}a`))
        .commit();
      await waitFor('the transaction', () => seen.length === 2);
      expect(seen[1]).toEqual([`${prefix}b=2`]);
      expect([...range.current().keys()]).toEqual([`${prefix}b`]);
    });

    it('needs a prefix or a key', () => {
      expect(
        () =>
          new WatchedRange(fx.client(), {
            what: 'x',
            logger: new MemoryLogger(),
            onChange: () => undefined,
          }),
      ).toThrow(/prefix or a key/);
    });
  });

  describe('close', () => {
    it('ends a start() that is still retrying an unreachable etcd', async () => {
      const client = createEtcdClient({ endpoints: ['http://127.0.0.1:1'] });
      try {
        const { range } = watch('/nowhere/', client);
        const started = range.start();
        await new Promise((r) => setTimeout(r, 300));
        await range.close();
        await expect(started).resolves.toBeUndefined();
      } finally {
        client.close();
      }
    }, 15_000);
  });
});
