import { setTimeout as sleep } from 'node:timers/promises';
import type { Etcd3 } from 'etcd3';
import { type Observable, of } from 'rxjs';
import { EtcdFixture, MemoryLogger, waitFor } from '../test/etcd-fixture';
import type {
  ClusterOptions,
  ClusterStateStore,
  ElectionEvent,
  Leadership,
  VersionedClusterState,
} from './cluster.interface';
import { ClusterStateService, encodeClusterState } from './cluster-state';
import { ElectionService } from './election';
import { FencedLeadership } from './fenced-leadership';
import { ClusterKeys } from './keys';

interface Node {
  id: string;
  election: ElectionService;
  store: ClusterStateService;
  client: Etcd3;
  events: ElectionEvent[];
  logger: MemoryLogger;
}

describe('ElectionService', () => {
  const fx = new EtcdFixture();
  let nodes: Node[] = [];
  beforeAll(() => fx.start());
  afterEach(async () => {
    for (const n of nodes) {
      await n.election.stop().catch(() => undefined);
      await n.store.close();
    }
    nodes = [];
    fx.closeClients();
  });
  afterAll(() => fx.stop());

  function node(id: string, options: ClusterOptions, store?: ClusterStateStore): Node {
    const client = fx.client();
    const logger = new MemoryLogger();
    const own = new ClusterStateService(client, options, logger);
    const election = new ElectionService(client, options, store ?? own, logger);
    const n: Node = { id, election, store: own, client, events: [], logger };
    election.events$.subscribe((e) => n.events.push(e));
    nodes.push(n);
    return n;
  }

  async function startAll(options: ClusterOptions, ids: string[]): Promise<Node[]> {
    const started = ids.map((id) => node(id, options));
    await Promise.all(started.map((n) => n.election.start(n.id)));
    return started;
  }

  const elected = (n: Node) =>
    n.events.filter((e): e is Extract<ElectionEvent, { type: 'elected' }> => e.type === 'elected');
  const leadershipOf = (n: Node): Leadership | undefined => elected(n).at(-1)?.leadership;
  const readState = (client: Etcd3, options: ClusterOptions) =>
    new ClusterStateService(client, options, new MemoryLogger()).read();

  describe('start', () => {
    it('elects exactly one of three and creates {epoch: 1, leader, isr: [leader]}', async () => {
      const options = fx.options();
      const three = await startAll(options, ['a', 'b', 'c']);
      const leader = await waitFor('a leader', () => three.find((n) => n.election.isLeader()));
      await sleep(500); // give a second winner time to show up
      expect(three.filter((n) => elected(n).length > 0)).toEqual([leader]);
      expect(leadershipOf(leader)).toMatchObject({ epoch: 1, isr: [leader.id] });
      expect((await readState(leader.client, options))?.state).toEqual({
        epoch: 1,
        leader: leader.id,
        isr: [leader.id],
      });
      for (const n of three) {
        await waitFor(`${n.id} sees the leader`, () =>
          n.events.some((e) => e.type === 'leader' && e.leaderId === leader.id && e.epoch === 1),
        );
      }
      expect(leader.logger.lines).toContain(`log: elected leader for epoch 1 (ISR: ${leader.id})`);
    });
  });

  describe('stop', () => {
    it('hands over at once to an in-sync replica, which bumps the epoch', async () => {
      const options = fx.options();
      const three = await startAll(options, ['a', 'b', 'c']);
      const first = await waitFor('a leader', () => three.find((n) => n.election.isLeader()));
      expect(await leadershipOf(first)!.updateIsr(['a', 'b', 'c'])).toBe(true);
      expect((await readState(first.client, options))?.state).toEqual({
        epoch: 1,
        leader: first.id,
        isr: ['a', 'b', 'c'],
      });

      const stoppedAt = Date.now();
      await first.election.stop();
      expect(first.events.at(-1)).toMatchObject({ type: 'deposed' });
      expect(first.election.isLeader()).toBe(false);
      const rest = three.filter((n) => n !== first);
      const second = await waitFor('a new leader', () => rest.find((n) => n.election.isLeader()));
      expect(Date.now() - stoppedAt).toBeLessThan(1_500); // no waiting for a TTL
      expect(leadershipOf(second)).toMatchObject({ epoch: 2, isr: ['a', 'b', 'c'] });
      expect((await readState(second.client, options))?.state).toEqual({
        epoch: 2,
        leader: second.id,
        isr: ['a', 'b', 'c'],
      });
      await waitFor('everyone sees epoch 2', () =>
        rest.every((n) => n.events.some((e) => e.type === 'leader' && e.epoch === 2)),
      );
    });
  });

  describe('the ISR rule', () => {
    it('does not campaign while outside the ISR and leads once added to it', async () => {
      const options = fx.options();
      const [a] = await startAll(options, ['a']);
      const leadership = await waitFor('a leads', () => leadershipOf(a));
      const [b] = await startAll(options, ['b']);
      await a.election.stop();
      await sleep(700);
      expect(b.election.isLeader()).toBe(false); // b is not in the ISR [a]
      expect(leadership.isr).toEqual(['a']);
      // a's graceful stop left "no leader" behind, and b saw it
      expect((await readState(b.client, options))?.state).toEqual({
        epoch: 1,
        leader: null,
        isr: ['a'],
      });
      await waitFor('b sees no leader', () =>
        b.events.some((e) => e.type === 'leader' && e.leaderId === null && e.epoch === 1),
      );

      // Restart a and let it add b; when a stops again b may lead.
      const a2 = node('a', options);
      await a2.election.start('a');
      const l2 = await waitFor('a leads again', () => leadershipOf(a2));
      expect(l2.epoch).toBe(2);
      expect(await l2.updateIsr(['a', 'b'])).toBe(true);
      await a2.election.stop();
      const lb = await waitFor('b leads', () => leadershipOf(b));
      expect(lb.epoch).toBe(3);
    });

    it('a winner outside the ISR resigns without bumping the epoch', async () => {
      const options = fx.options();
      const keys = new ClusterKeys(options.cluster);
      const admin = fx.client();
      await admin
        .put(keys.state)
        .value(encodeClusterState({ epoch: 5, leader: 'gone', isr: ['gone'] }))
        .exec();
      // A view that wrongly says "no state yet", so x campaigns and wins: the check on winning
      // must read etcd itself and refuse.
      const real = new ClusterStateService(fx.client(), options, new MemoryLogger());
      const lying: ClusterStateStore = {
        state$: of(null) as Observable<VersionedClusterState | null>,
        current: () => null,
        read: () => real.read(),
      };
      const x = node('x', options, lying);
      await x.election.start('x');
      await waitFor('x resigns', () =>
        x.logger.lines.some((l) => /won the election but is not in the ISR/.test(l)),
      );
      expect(elected(x)).toHaveLength(0);
      expect((await real.read())?.state).toEqual({ epoch: 5, leader: 'gone', isr: ['gone'] });
      const candidates = await admin.getAll().prefix(`${keys.root}election/`).keys();
      expect(candidates).toEqual([]);
      await real.close();
    });
  });

  describe('incarnations (a wiped data directory restarted under the same id)', () => {
    const NOT_STANDING = 'not standing for leader until it has caught up';

    it('the first leader records its incarnation; a replaced directory never stands until re-admitted', async () => {
      const options = fx.options();
      const a = node('a', options);
      await a.election.start('a', { id: 'ia', isNew: true }); // a brand-new cluster
      const first = await waitFor('a leads', () => leadershipOf(a));
      expect((await readState(a.client, options))?.state).toEqual({
        epoch: 1,
        leader: 'a',
        isr: ['a'],
        incarnations: { a: 'ia' },
      });
      expect(await first.updateIsr(['a', 'b'], { a: 'ia', b: 'ib' })).toBe(true);
      await a.election.stop();

      // b comes back on a wiped directory: listed in the ISR, but not with this directory.
      const b = node('b', options);
      await b.election.start('b', { id: 'ib2', isNew: true });
      await sleep(700);
      expect(b.election.isLeader()).toBe(false);
      expect(b.logger.lines).toContain(
        `warn: the data directory of b was created empty (incarnation ib2) but the ISR recorded ib: it may lack committed messages: ${NOT_STANDING} and the leader has taken it back into the ISR`,
      );
      const candidates = await fx
        .client()
        .getAll()
        .prefix(`${new ClusterKeys(options.cluster).root}election/`)
        .keys();
      expect(candidates).toEqual([]);

      // The intact member leads; it re-admits b with its new incarnation; then b may lead.
      const a2 = node('a', options);
      await a2.election.start('a', { id: 'ia', isNew: false });
      const second = await waitFor('a leads again', () => leadershipOf(a2));
      expect(second).toMatchObject({ epoch: 2, incarnations: { a: 'ia', b: 'ib' } });
      expect(await second.updateIsr(['a', 'b'], { a: 'ia', b: 'ib2' })).toBe(true);
      await a2.election.stop();
      const third = await waitFor('b leads', () => leadershipOf(b));
      expect(third).toMatchObject({ epoch: 3, incarnations: { a: 'ia', b: 'ib2' } });
    });

    it('upgrade: an entry without an incarnation trusts an intact directory, not a new one', async () => {
      const options = fx.options();
      const keys = new ClusterKeys(options.cluster);
      await fx
        .client()
        .put(keys.state)
        .value(encodeClusterState({ epoch: 5, leader: null, isr: ['a', 'b'] }))
        .exec();
      const b = node('b', options);
      await b.election.start('b', { id: 'nb', isNew: true });
      await sleep(700);
      expect(b.election.isLeader()).toBe(false);
      expect(b.logger.lines.join('\n')).toContain(
        'the ISR recorded no incarnation for it (a state from before incarnations)',
      );
      const a = node('a', options);
      await a.election.start('a', { id: 'ia', isNew: false });
      const leadership = await waitFor('a leads', () => leadershipOf(a));
      expect(leadership.epoch).toBe(6);
      // The winner records its own incarnation; b's stays unrecorded until it has caught up.
      expect((await readState(a.client, options))?.state).toEqual({
        epoch: 6,
        leader: 'a',
        isr: ['a', 'b'],
        incarnations: { a: 'ia' },
      });
    });
  });

  describe('setEligible', () => {
    it('a leader that becomes ineligible clears itself and an in-sync replica takes over at once', async () => {
      const options = fx.options();
      const three = await startAll(options, ['a', 'b', 'c']);
      const first = await waitFor('a leader', () => three.find((n) => n.election.isLeader()));
      expect(await leadershipOf(first)!.updateIsr(['a', 'b', 'c'])).toBe(true);

      const stoodDownAt = Date.now();
      await first.election.setEligible(false, 'its log lost committed messages');
      expect(first.election.isLeader()).toBe(false);
      expect(first.events.at(-1)).toMatchObject({
        type: 'deposed',
        reason: expect.stringContaining('its log lost committed messages'),
      });
      const rest = three.filter((n) => n !== first);
      const second = await waitFor('a new leader', () => rest.find((n) => n.election.isLeader()));
      expect(Date.now() - stoodDownAt).toBeLessThan(1_500); // no waiting for a TTL
      expect(leadershipOf(second)).toMatchObject({ epoch: 2, isr: ['a', 'b', 'c'] });
      expect(first.logger.lines).toContain(
        `warn: ${first.id} does not stand for leader: its log lost committed messages`,
      );

      // Still in the ISR, but it is passed over when the next leader goes too.
      await second.election.stop();
      const third = await waitFor('a third leader', () => three.find((n) => n.election.isLeader()));
      expect(third).not.toBe(first);
      expect(leadershipOf(third)?.epoch).toBe(3);

      // Eligible again: it campaigns, and leads once the others are gone.
      await first.election.setEligible(true, 'repaired');
      expect(first.logger.lines).toContain(`log: ${first.id} stands for leader again: repaired`);
      await third.election.stop();
      const back = await waitFor('the first leads again', () =>
        first.election.isLeader() ? leadershipOf(first) : undefined,
      );
      expect(back.epoch).toBe(4);
    });

    it('ineligible before start: in the ISR, the only one left, and still never campaigns', async () => {
      const options = fx.options();
      const keys = new ClusterKeys(options.cluster);
      const [a] = await startAll(options, ['a']);
      expect(await (await waitFor('a leads', () => leadershipOf(a))).updateIsr(['a', 'b'])).toBe(
        true,
      );
      const b = node('b', options);
      await b.election.setEligible(false, 'damaged log');
      await b.election.start('b');
      await a.election.stop();
      await sleep(700);
      expect(b.election.isLeader()).toBe(false);
      expect(elected(b)).toHaveLength(0);
      const admin = fx.client();
      expect(await admin.getAll().prefix(`${keys.root}election/`).keys()).toEqual([]);
      expect((await readState(admin, options))?.state).toEqual({
        epoch: 1,
        leader: null,
        isr: ['a', 'b'],
      });

      await b.election.setEligible(true, 'repaired');
      const lb = await waitFor('b leads', () => leadershipOf(b));
      expect(lb.epoch).toBe(2);
    });
  });

  describe('fencing', () => {
    it('a leader whose lease was revoked is deposed and its updateIsr fails without a write', async () => {
      const options = fx.options();
      const [a] = await startAll(options, ['a']);
      const leadership = await waitFor('a leads', () => leadershipOf(a));
      const admin = fx.client();
      const keys = new ClusterKeys(options.cluster);
      const [candidate] = (await admin.getAll().prefix(`${keys.root}election/`).exec()).kvs;
      const before = await readState(admin, options);

      await admin.leaseClient.leaseRevoke({ ID: candidate.lease });
      expect(await leadership.updateIsr(['a', 'b'])).toBe(false);
      await waitFor('deposed', () => a.events.some((e) => e.type === 'deposed'));
      expect(await readState(admin, options)).toEqual(before);
      // and it campaigns again: it is still the only ISR member
      const again = await waitFor('a leads again', () =>
        a.election.isLeader() ? leadershipOf(a) : undefined,
      );
      expect(again.epoch).toBe(2);
    });

    it('FencedLeadership refuses to write when its election key is gone or the state moved on', async () => {
      const options = fx.options();
      const keys = new ClusterKeys(options.cluster);
      const client = fx.client();
      const put = await client
        .put(keys.state)
        .value(encodeClusterState({ epoch: 3, leader: 'a', isr: ['a'] }))
        .exec();
      const own = await client.put(`${keys.root}election/leader/1`).value('a').exec();
      const failures: string[] = [];
      const make = (key: string, createRevision: string, modRevision: string) =>
        new FencedLeadership(
          client,
          keys.state,
          key,
          createRevision,
          { epoch: 3, leader: 'a', isr: ['a'] },
          modRevision,
          (r) => failures.push(r),
        );

      const noKey = make(`${keys.root}election/leader/2`, own.header.revision, put.header.revision);
      expect(await noKey.updateIsr(['a', 'b'])).toBe(false);
      const stale = make(`${keys.root}election/leader/1`, own.header.revision, '1');
      expect(await stale.updateIsr(['a', 'b'])).toBe(false);
      expect(failures).toHaveLength(2);
      expect((await readState(client, options))?.state.isr).toEqual(['a']);

      const good = make(`${keys.root}election/leader/1`, own.header.revision, put.header.revision);
      expect(await good.updateIsr(['a', 'b'])).toBe(true);
      expect(await good.updateIsr(['a', 'b', 'c'])).toBe(true); // follows its own revisions
      expect((await readState(client, options))?.state).toEqual({
        epoch: 3,
        leader: 'a',
        isr: ['a', 'b', 'c'],
      });
      await expect(good.updateIsr(['b'])).rejects.toThrow(/must contain the leader/);
    });

    it('deposes within about a TTL when etcd stops answering, then leads again with a new epoch', async () => {
      const options = fx.options();
      const [a] = await startAll(options, ['a']);
      await waitFor('a leads', () => leadershipOf(a));
      fx.etcd.signal('SIGSTOP');
      const frozenAt = Date.now();
      try {
        await waitFor('deposed', () => a.events.some((e) => e.type === 'deposed'), 4_000);
        expect(Date.now() - frozenAt).toBeLessThan(2_600);
        expect(a.election.isLeader()).toBe(false);
      } finally {
        fx.etcd.signal('SIGCONT');
      }
      expect(a.logger.lines.join('\n')).toMatch(/lost etcd lease: stepping down/);
      const again = await waitFor(
        'a leads again',
        () => (a.election.isLeader() ? leadershipOf(a) : undefined),
        10_000,
      );
      expect(again.epoch).toBe(2);
    }, 20_000);
  });
});
