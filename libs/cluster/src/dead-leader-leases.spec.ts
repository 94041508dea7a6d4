import type { Etcd3 } from 'etcd3';
import { EtcdFixture, MemoryLogger, waitFor } from '../test/etcd-fixture';
import type { ClusterOptions, ElectionEvent } from './cluster.interface';
import { ClusterStateService } from './cluster-state';
import { DeadLeaderLeasesService } from './dead-leader-leases';
import { ElectionService } from './election';
import { ClusterKeys } from './keys';
import { MembershipService } from './membership';

describe('DeadLeaderLeasesService', () => {
  const fx = new EtcdFixture();
  const cleanups: Array<() => Promise<void>> = [];
  beforeAll(() => fx.start());
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
    fx.closeClients();
  });
  afterAll(() => fx.stop());

  /** A leader 'a' on a 10 s lease: registered, elected, the state naming it in epoch 1. */
  async function leaderA(options: ClusterOptions) {
    const client = fx.client();
    const logger = new MemoryLogger();
    const membership = new MembershipService(client, options, logger);
    const store = new ClusterStateService(client, options, logger);
    const election = new ElectionService(client, options, store, logger);
    const events: ElectionEvent[] = [];
    election.events$.subscribe((e) => events.push(e));
    cleanups.push(async () => {
      await election.stop();
      await store.close();
      await membership.deregister();
      await membership.close();
    });
    await membership.register({ id: 'a', address: '127.0.0.1:1' });
    await election.start('a');
    await waitFor('a leads', () => election.isLeader());
    return { client, election, events };
  }

  function revoker(client: Etcd3, options: ClusterOptions) {
    const logger = new MemoryLogger();
    return { service: new DeadLeaderLeasesService(client, options, logger), logger };
  }

  const leasesUnder = async (client: Etcd3, prefix: string) =>
    (await client.getAll().prefix(prefix).exec()).kvs.map((kv) => kv.lease);

  it('revokes the leader’s member and election leases once, so the election goes on at once', async () => {
    const options = fx.options(undefined, 10);
    const keys = new ClusterKeys(options.cluster);
    const a = await leaderA(options);
    const peer = revoker(fx.client(), options);
    const [memberLease] = await leasesUnder(a.client, keys.member('a'));
    const [electionLease] = await leasesUnder(a.client, keys.electionPrefix);

    const started = Date.now();
    expect(await peer.service.revoke('a', 1, '3 connections refused')).toEqual([
      memberLease,
      electionLease,
    ]);
    expect(peer.logger.lines).toEqual([
      `warn: revoked the etcd lease(s) ${memberLease}, ${electionLease} of leader a (epoch 1) so the election goes on without waiting out the TTL: 3 connections refused`,
    ]);
    // The lease was live (a is alive here): it steps down and, still in the ISR, wins epoch 2,
    // long before its 10 s lease could have expired.
    await waitFor('a deposed', () => a.events.some((e) => e.type === 'deposed'));
    await waitFor(
      'epoch 2',
      () => a.events.some((e) => e.type === 'elected' && e.leadership.epoch === 2),
      5_000,
    );
    expect(Date.now() - started).toBeLessThan(5_000);

    // Never twice: the old leases are not tried again, and epoch 1 is over anyway.
    expect(await peer.service.revoke('a', 1, 'again')).toEqual([]);
    expect(peer.logger.lines).toHaveLength(1);
  });

  it('does nothing unless the state still names that leader in that epoch', async () => {
    const options = fx.options(undefined, 10);
    const keys = new ClusterKeys(options.cluster);
    const a = await leaderA(options);
    const peer = revoker(fx.client(), options);

    expect(await peer.service.revoke('b', 1, 'wrong leader')).toEqual([]);
    expect(await peer.service.revoke('a', 2, 'a later epoch')).toEqual([]);
    expect(await peer.service.revoke('a', 0, 'an earlier epoch')).toEqual([]);
    expect(peer.logger.lines).toEqual([]);
    expect(await leasesUnder(a.client, keys.electionPrefix)).toHaveLength(1);
    expect(await leasesUnder(a.client, keys.member('a'))).toHaveLength(1);
    expect(a.election.isLeader()).toBe(true);
  });

  it('lets a second replica find nothing left to revoke after the first did', async () => {
    const options = fx.options(undefined, 10);
    const keys = new ClusterKeys(options.cluster);
    const a = await leaderA(options);
    const before = [
      ...(await leasesUnder(a.client, keys.member('a'))),
      ...(await leasesUnder(a.client, keys.electionPrefix)),
    ];
    const first = revoker(fx.client(), options);
    const second = revoker(fx.client(), options);
    const [one, two] = await Promise.all([
      first.service.revoke('a', 1, 'refused'),
      second.service.revoke('a', 1, 'refused'),
    ]);
    // Racing, each may revoke some, but no lease is revoked by both, and both old ones are gone.
    const all = [...one, ...two];
    expect(new Set(all).size).toBe(all.length);
    expect(all).toEqual(expect.arrayContaining(before));
  });
});
