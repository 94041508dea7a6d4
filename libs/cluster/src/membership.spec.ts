import type { Lease } from 'etcd3';
import { EtcdFixture, MemoryLogger, waitFor } from '../test/etcd-fixture';
import type { ClusterOptions, MemberInfo } from './cluster.interface';
import { ClusterKeys } from './keys';
import { MembershipService } from './membership';

describe('MembershipService', () => {
  const fx = new EtcdFixture();
  const services: MembershipService[] = [];
  beforeAll(() => fx.start());
  afterEach(async () => {
    for (const s of services.splice(0)) {
      await s.deregister().catch(() => undefined);
      await s.close();
    }
    fx.closeClients();
  });
  afterAll(() => fx.stop());

  function member(options: ClusterOptions, logger = new MemoryLogger()) {
    const client = fx.client();
    const service = new MembershipService(client, options, logger);
    services.push(service);
    return { service, client, logger };
  }

  const ids = (m: ReadonlyMap<string, MemberInfo>) => [...m.keys()].sort();

  describe('register / members$ / deregister', () => {
    it('shows every registered member to a read-only watcher, and drops one that deregisters', async () => {
      const options = fx.options();
      const watcher = member(options).service;
      const seen: string[][] = [];
      const sub = watcher.members$.subscribe((m) => seen.push(ids(m)));
      await waitFor('initial member set', () => seen.length > 0);
      expect(seen[0]).toEqual([]);

      const a = member(options).service;
      const b = member(options).service;
      await a.register({ id: 'a', address: 'host-a:50051' });
      await b.register({ id: 'b', address: 'host-b:50051' });
      await waitFor('a and b', () => watcher.current().size === 2);
      expect(watcher.current().get('a')).toEqual({ id: 'a', address: 'host-a:50051' });

      await a.deregister();
      await waitFor('a gone', () => !watcher.current().has('a'));
      expect(ids(watcher.current())).toEqual(['b']);
      expect(seen.at(-1)).toEqual(['b']);
      sub.unsubscribe();
    });

    it('starts members$ with the current set for a late subscriber', async () => {
      const options = fx.options();
      await member(options).service.register({ id: 'x', address: 'x:1' });
      const late = member(options).service;
      const first = await new Promise<ReadonlyMap<string, MemberInfo>>((resolve) => {
        const sub = late.members$.subscribe((m) => {
          resolve(m);
          queueMicrotask(() => sub.unsubscribe());
        });
      });
      expect(ids(first)).toEqual(['x']);
    });
  });

  describe('update', () => {
    it('shows a disk-full mark to watchers on the same lease, and its removal', async () => {
      const options = fx.options();
      const watcher = member(options).service;
      await watcher.start();
      const a = member(options).service;
      await a.register({ id: 'a', address: 'host-a:1' });
      await waitFor('a', () => watcher.current().has('a'));
      await a.update({ id: 'a', address: 'host-a:1', diskFull: true });
      await waitFor('a full', () => watcher.current().get('a')?.diskFull === true);
      await a.update({ id: 'a', address: 'host-a:1' });
      await waitFor('a has room', () => watcher.current().get('a')?.diskFull === undefined);
      expect(watcher.current().get('a')).toEqual({ id: 'a', address: 'host-a:1' });
      await expect(a.update({ id: 'b', address: 'x:1' })).rejects.toThrow(/not registered/);
    });
  });

  describe('lease expiry', () => {
    it('removes a member that stops keeping its lease alive (a crash: no revoke)', async () => {
      const options = fx.options();
      const watcher = member(options).service;
      await watcher.start();
      const dying = member(options);
      await dying.service.register({ id: 'dying', address: 'd:1' });
      await waitFor('registered', () => watcher.current().has('dying'));
      // Closing the client would not do: grpc keeps open streams (the keepalive) going.
      (dying.service as unknown as { lease: Lease }).lease.release();
      const started = Date.now();
      await waitFor('expired', () => !watcher.current().has('dying'), 5_000);
      expect(Date.now() - started).toBeLessThan(4_000);
    });
  });

  describe('etcd restart', () => {
    it('keeps watching and keeps the registration across an etcd restart', async () => {
      const options = fx.options();
      const watcher = member(options).service;
      await watcher.start();
      const { service } = member(options);
      await service.register({ id: 'stays', address: 's:1' });
      await waitFor('registered', () => watcher.current().has('stays'));

      await fx.etcd.stop(false); // same data dir and ports when it comes back
      await fx.etcd.start();

      const late = member(options).service;
      await late.register({ id: 'late', address: 'l:1' });
      await waitFor('both seen after the restart', () => watcher.current().size === 2, 8_000);
      // Stays registered past a few TTLs (kept alive on the old lease, or registered again).
      await new Promise((r) => setTimeout(r, 2_500));
      expect(ids(watcher.current())).toEqual(['late', 'stays']);
    }, 20_000);
  });

  describe('lease loss', () => {
    it('registers again on a new lease after its lease is revoked behind its back', async () => {
      const options = fx.options();
      const { service, client, logger } = member(options);
      await service.register({ id: 'r', address: 'r:1' });
      const key = new ClusterKeys(options.cluster).member('r');
      const before = (await client.get(key).exec()).kvs[0];
      // Another client revokes the lease: etcd deletes the key and our keepalive learns of it.
      await fx.client().leaseClient.leaseRevoke({ ID: before.lease });
      await waitFor(
        'registered on a new lease',
        async () => {
          const kv = (await client.get(key).exec()).kvs[0];
          return kv && kv.lease !== before.lease;
        },
        5_000,
      );
      expect(logger.lines.join('\n')).toMatch(/lost the etcd lease of member r/);
    });

    it('registers again after etcd was frozen for longer than the TTL', async () => {
      const options = fx.options();
      const watcher = member(options).service;
      await watcher.start();
      const { service, logger } = member(options);
      await service.register({ id: 'frozen', address: 'f:1' });
      await waitFor('registered', () => watcher.current().has('frozen'));

      fx.etcd.signal('SIGSTOP');
      await new Promise((r) => setTimeout(r, 3_000)); // 3 × TTL
      fx.etcd.signal('SIGCONT');

      await waitFor(
        'lease lost',
        () => logger.lines.some((l) => /lost the etcd lease/.test(l)),
        8_000,
      );
      // The old lease expires in etcd after the thaw; the member must come back on a new one.
      await new Promise((r) => setTimeout(r, 1_500));
      await waitFor('back in the member set', () => watcher.current().has('frozen'), 8_000);
    }, 30_000);
  });
});
