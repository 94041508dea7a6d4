import { ClusterService } from '../cluster/cluster.service';
import { MetricsService } from '../metrics/metrics.service';
import { ApiProblem } from '../problems';
import { FollowFeed } from '../follow/follow-feed';
import { RangeReader } from '../follow/range-reader';
import { FakeReplicaGateway } from '../testing/fake-replica-gateway';
import { MAX_CONSOLE_CLIENTS } from './console.constants';
import { ConsoleFeed } from './console-feed.service';
import { RecordingSink } from './recording-sink';

describe('ConsoleFeed', () => {
  let gateway: FakeReplicaGateway;
  let feed: ConsoleFeed;
  let follow: FollowFeed;
  let now: number;

  beforeEach(() => {
    gateway = new FakeReplicaGateway();
    for (let i = 0; i < 3; i += 1) {
      gateway.store({ messages: [Buffer.from(`hello ${i}`)], producer_id: 1, sequence: i + 1 });
    }
    const ranges = new RangeReader(gateway);
    follow = new FollowFeed(gateway, ranges);
    feed = new ConsoleFeed(
      gateway,
      new ClusterService(gateway),
      follow,
      ranges,
      new MetricsService(),
    );
    now = Date.parse('2026-12-06T07:31:12Z');
    feed.clock = () => now;
  });
  afterEach(() => {
    feed.onModuleDestroy();
    follow.onApplicationShutdown();
  });

  async function tick(): Promise<void> {
    now += 1000;
    await feed.tick();
  }

  /** Ticks, letting timers and I/O run in between (the Follow feed's), until `done` or 100 ticks. */
  async function tickUntil(done: () => boolean): Promise<void> {
    for (let i = 0; i < 100 && !done(); i += 1) {
      await tick();
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  describe('tick', () => {
    it('asks no replica anything while nobody watches, but still notes the leader', async () => {
      const status = jest.spyOn(gateway, 'status');
      await tick();
      await tick();
      expect(status).not.toHaveBeenCalled();
      const sink = new RecordingSink();
      feed.subscribe(sink);
      await tick();
      expect(sink.last().state.leaderChanges).toMatchObject([{ to: 'r1', reason: 'first-seen' }]);
    });

    it('pushes one snapshot, then updates, the same frame to every client', async () => {
      const a = new RecordingSink();
      const b = new RecordingSink();
      feed.subscribe(a);
      await tick();
      feed.subscribe(b);
      await tick();
      expect(a.events().map((e) => e.event)).toEqual(['snapshot', 'update']);
      expect(b.events().map((e) => e.event)).toEqual(['snapshot', 'update']);
      expect(a.written[1]).toBe(b.written[1]);
      const { state } = a.last();
      expect(state).toMatchObject({ leader: 'r1', epoch: 1, committedEnd: 3, problems: [] });
      expect(
        state.replicas.map((r) => [r.id, r.role, r.inSync, r.logStartOffset, r.logEndOffset]),
      ).toEqual([
        ['r1', 'leader', true, 0, 3],
        ['r2', 'follower', true, 0, 3],
        ['r3', 'follower', true, 0, 3],
      ]);
    });

    it('shows the newest committed messages from the shared Follow feed, one feed for every console', async () => {
      const sink = new RecordingSink();
      const other = new RecordingSink();
      feed.subscribe(sink);
      feed.subscribe(other);
      // The feed anchors at the committed end in the background; the messages below it come
      // from one Range read, those after it from the feed's own stream.
      await tickUntil(() => sink.events().length > 0 && sink.last().state.tail.length >= 3);
      expect(sink.last().state.tail.map((m) => [m.offset, m.preview])).toEqual([
        [2, 'hello 2'],
        [1, 'hello 1'],
        [0, 'hello 0'],
      ]);
      gateway.store({ messages: [Buffer.from('hello 3')], producer_id: 1, sequence: 4 });
      await tickUntil(() => sink.last().state.tail[0].offset >= 3);
      expect(sink.last().state.tail.map((m) => m.preview)).toEqual([
        'hello 3',
        'hello 2',
        'hello 1',
        'hello 0',
      ]);
      expect(gateway.followStreams.opened).toHaveLength(1);
      expect(gateway.readCalls).toEqual([]);
    });

    it('says when a replica left the ISR, and how far behind it is', async () => {
      const sink = new RecordingSink();
      feed.subscribe(sink);
      await tick();
      gateway.highWatermarks.set('r3', 1);
      jest
        .spyOn(gateway, 'clusterState')
        .mockReturnValue({ epoch: 1, leader: 'r1', isr: ['r1', 'r2'] });
      jest.spyOn(gateway, 'status').mockImplementation(async (replica) => ({
        ...(await FakeReplicaGateway.prototype.status.call(gateway, replica)),
        log_end_offset: replica.id === 'r3' ? 1 : 3,
      }));
      await tick();
      const { state } = sink.last();
      expect(state.replicas.find((r) => r.id === 'r3')).toMatchObject({
        inSync: false,
        logEndOffset: 1,
      });
      expect(state.problems.map((p) => p.text)).toEqual([
        'r3 has been out of sync since 07:31:14 UTC, 2 messages behind.',
      ]);
    });

    it('records a new leader and why: the old one left the membership', async () => {
      const sink = new RecordingSink();
      feed.subscribe(sink);
      await tick();
      gateway.members = gateway.members.filter((m) => m.id !== 'r1');
      gateway.leaderId = 'r2';
      gateway.epoch = 2;
      await tick();
      const { state } = sink.last();
      expect(state.leader).toBe('r2');
      expect(state.leaderChanges.map((c) => [c.from, c.to, c.epoch, c.reason])).toEqual([
        ['r1', 'r2', 2, 'left-membership'],
        [null, 'r1', 1, 'first-seen'],
      ]);
      // r1 is no longer registered nor in the ISR: shown as departed, not silently dropped.
      expect(state.replicas.find((r) => r.id === 'r1')).toMatchObject({
        role: 'departed',
        inSync: false,
      });
    });

    it('calls a leader that still answers as a follower a handover', async () => {
      const sink = new RecordingSink();
      feed.subscribe(sink);
      await tick();
      gateway.leaderId = 'r2';
      gateway.epoch = 2;
      await tick();
      expect(sink.last().state.leaderChanges[0]).toMatchObject({
        from: 'r1',
        to: 'r2',
        reason: 'handover',
      });
    });
  });

  describe('subscribe', () => {
    it('stops pushing and asking replicas once the last client leaves', async () => {
      const sink = new RecordingSink();
      const unsubscribe = feed.subscribe(sink);
      await tick();
      unsubscribe();
      expect(sink.ended).toBe(true);
      expect(feed.clientCount).toBe(0);
      const status = jest.spyOn(gateway, 'status');
      const written = sink.written.length;
      await tick();
      expect(status).not.toHaveBeenCalled();
      expect(sink.written).toHaveLength(written);
    });

    it(`refuses more than ${MAX_CONSOLE_CLIENTS} streams with a 503 problem`, () => {
      for (let i = 0; i < MAX_CONSOLE_CLIENTS; i += 1) feed.subscribe(new RecordingSink());
      let refused: unknown;
      try {
        feed.subscribe(new RecordingSink());
      } catch (error) {
        refused = error;
      }
      expect(refused).toBeInstanceOf(ApiProblem);
      expect((refused as ApiProblem).status).toBe(503);
    });
  });

  describe('onModuleDestroy', () => {
    it('ends every open stream so the HTTP server can close', () => {
      const sinks = [new RecordingSink(), new RecordingSink()];
      for (const sink of sinks) feed.subscribe(sink);
      feed.onModuleDestroy();
      expect(sinks.map((s) => s.ended)).toEqual([true, true]);
      expect(feed.clientCount).toBe(0);
    });
  });
});
