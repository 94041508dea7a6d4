import { setTimeout as sleep } from 'node:timers/promises';
import { EventEmitter } from 'node:events';
import { status as GrpcStatus } from '@grpc/grpc-js';
import type { Leadership } from '@distilled/cluster';
import { ErrorReason, type FetchResponse } from '@distilled/proto';
import { ReplicaError } from '../errors/replica-error';
import { FakeLogStore } from '../testing/fake-log-store';
import type { FetchCall } from './fetch-session';
import { HighWatermark } from './high-watermark';
import { LeaderTerm, type LeaderTermOptions } from './leader-term';

const quietLogger = { log: jest.fn(), warn: jest.fn(), error: jest.fn() };
const messages = (...texts: string[]) => texts.map((text) => Buffer.from(text));

class FakeLeadership implements Leadership {
  fenced = false;
  readonly writes: string[][] = [];
  constructor(
    readonly epoch: number,
    public isr: string[],
    public incarnations: Readonly<Record<string, string>> = {},
  ) {}
  readonly written: Readonly<Record<string, string>>[] = [];
  async updateIsr(
    isr: string[],
    incarnations: Readonly<Record<string, string>> = this.incarnations,
  ): Promise<boolean> {
    if (this.fenced) return false;
    this.writes.push(isr);
    this.written.push(incarnations);
    this.isr = isr;
    this.incarnations = incarnations;
    return true;
  }
}

class FakeCall extends EventEmitter {
  readonly responses: FetchResponse[] = [];
  ended = false;
  write(response: FetchResponse): boolean {
    this.responses.push(response);
    return true;
  }
  end(): void {
    this.ended = true;
  }
}

function setup(
  overrides: Partial<LeaderTermOptions> & {
    isr?: string[];
    incarnations?: Record<string, string>;
    registered?: string[];
    log?: FakeLogStore;
  } = {},
) {
  const log = overrides.log ?? new FakeLogStore();
  const leadership = new FakeLeadership(4, overrides.isr ?? ['a'], overrides.incarnations);
  const registered = new Set(overrides.registered ?? ['a', 'b', 'c']);
  const onFenced = jest.fn();
  const term = new LeaderTerm({
    selfId: 'a',
    log,
    leadership,
    highWatermark: new HighWatermark(),
    minInsync: 1,
    replicaLagMs: 10_000,
    commitTimeoutMs: 10_000,
    isRegistered: (id) => registered.has(id),
    onFenced,
    onIsrChange: jest.fn(),
    logger: quietLogger,
    ...overrides,
  });
  return { log, leadership, term, onFenced, registered };
}

function follower(term: LeaderTerm, id: string, incarnation?: string) {
  const call = new FakeCall();
  const session = term.attach(id, call as unknown as FetchCall, incarnation);
  return { call, session, fetch: (leo: number) => term.onFetch(session, leo) };
}

describe('LeaderTerm', () => {
  let term: LeaderTerm | undefined;
  afterEach(async () => {
    await term?.end(ReplicaError.leadershipLost('test over'));
    term = undefined;
  });

  describe('start', () => {
    it('records its epoch in the log when it begins, before any append', async () => {
      const t = setup();
      term = t.term;
      await term.start();
      expect(t.log.begunEpochs).toEqual([4]);
    });

    it('still takes appends when the log could not record the epoch (the first append does)', async () => {
      const log = new FakeLogStore();
      log.beginEpoch = () => Promise.reject(new Error('EIO'));
      const warn = jest.fn();
      const t = setup({ log, logger: { ...quietLogger, warn } });
      term = t.term;
      await term.start();
      await expect(term.append(messages('x'))).resolves.toMatchObject({ baseOffset: 0 });
      expect(warn).toHaveBeenCalledWith(expect.stringContaining('could not record epoch 4'));
    });
  });

  describe('append', () => {
    it('a lone leader commits at once', async () => {
      const t = setup();
      term = t.term;
      await term.start();
      await expect(term.append(messages('x', 'y'))).resolves.toEqual({
        baseOffset: 0,
        count: 2,
        duplicate: false,
      });
      expect(term.highWatermark()).toBe(2);
      expect(t.log.entries.map((e) => e.epoch)).toEqual([4, 4]);
    });

    it('answers only once every ISR member has the batch', async () => {
      const t = setup({ isr: ['a', 'b'] });
      term = t.term;
      await term.start();
      const b = follower(term, 'b');
      b.fetch(0);
      await sleep(5); // the first response tells it the HW
      b.fetch(0);
      let done = false;
      const appended = term.append(messages('x')).then(() => (done = true));
      await sleep(10);
      expect(done).toBe(false);
      expect(b.call.responses.at(-1)?.batches.length).toBeGreaterThan(0);
      b.fetch(1);
      await appended;
      expect(term.highWatermark()).toBe(1);
    });

    it('ships a written batch to followers before its own fsync ends, but commits only after it', async () => {
      const t = setup({ isr: ['a', 'b'] });
      term = t.term;
      await term.start();
      const b = follower(term, 'b');
      b.fetch(0);
      await sleep(5); // the first response tells it the HW
      b.fetch(0);
      let sync!: () => void;
      t.log.gate = new Promise<void>((resolve) => (sync = resolve)); // the leader's fsync hangs
      let done = false;
      const appended = term.append(messages('x')).then(() => (done = true));
      await sleep(5);
      // The follower got the batch while the leader's append (write + fsync) is still running...
      expect(b.call.responses.at(-1)?.batches.length).toBeGreaterThan(0);
      b.fetch(1);
      await sleep(5);
      // ...and has it, but the HW counts the leader's synced end only.
      expect(term.highWatermark()).toBe(0);
      expect(done).toBe(false);
      sync();
      await appended;
      expect(term.highWatermark()).toBe(1);
    });

    it('refuses with not-enough-replicas, appending nothing, when the ISR is below the minimum', async () => {
      const t = setup({ minInsync: 2 });
      term = t.term;
      await term.start();
      await expect(term.append(messages('x'))).rejects.toMatchObject({
        reason: ErrorReason.NotEnoughReplicas,
        code: GrpcStatus.UNAVAILABLE,
      });
      expect(t.log.logEndOffset).toBe(0);
    });

    it('answers a duplicate batch with its original offsets', async () => {
      const t = setup();
      term = t.term;
      await term.start();
      await term.append(messages('x'), { producerId: 7, sequence: 1 });
      await expect(term.append(messages('x'), { producerId: 7, sequence: 1 })).resolves.toEqual({
        baseOffset: 0,
        count: 1,
        duplicate: true,
      });
      expect(t.log.logEndOffset).toBe(1);
    });

    it('times out with commit-timeout when the HW does not get there', async () => {
      const t = setup({ isr: ['a', 'b'], commitTimeoutMs: 50 });
      term = t.term;
      await term.start();
      await expect(term.append(messages('x'))).rejects.toMatchObject({
        reason: ErrorReason.CommitTimeout,
        code: GrpcStatus.DEADLINE_EXCEEDED,
      });
    });

    it('fails waiting appends with leadership-lost when the term ends', async () => {
      const t = setup({ isr: ['a', 'b'] });
      term = t.term;
      await term.start();
      const appended = term.append(messages('x'));
      await sleep(5);
      await term.end(ReplicaError.leadershipLost('deposed'));
      await expect(appended).rejects.toMatchObject({
        reason: ErrorReason.LeadershipLost,
        code: GrpcStatus.ABORTED,
      });
      await expect(term.append(messages('y'))).rejects.toMatchObject({
        reason: ErrorReason.LeadershipLost,
      });
    });
  });

  describe('drain', () => {
    it('resolves as soon as the last waiting append commits, and at once when none waits', async () => {
      const t = setup({ isr: ['a', 'b'] });
      term = t.term;
      await term.start();
      const started = Date.now();
      await term.drain(1_000);
      expect(Date.now() - started).toBeLessThan(50);

      const b = follower(term, 'b');
      b.fetch(0);
      await sleep(5);
      b.fetch(0);
      const appended = term.append(messages('x'));
      await sleep(10);
      let drainedAt = 0;
      const drained = term.drain(1_000).then(() => (drainedAt = Date.now()));
      await sleep(30);
      expect(drainedAt).toBe(0); // b has not fetched the batch yet
      const committedAt = Date.now();
      b.fetch(1);
      await appended;
      await drained;
      expect(drainedAt - committedAt).toBeLessThan(15); // no 20 ms poll step
    });

    it('gives up after its timeout while an append still waits', async () => {
      const t = setup({ isr: ['a', 'b'] });
      term = t.term;
      await term.start();
      const appended = term.append(messages('x')).catch((error: unknown) => error);
      const started = Date.now();
      await term.drain(60);
      expect(Date.now() - started).toBeGreaterThanOrEqual(55);
      await term.end(ReplicaError.leadershipLost('test over'));
      await expect(appended).resolves.toBeInstanceOf(ReplicaError);
    });
  });

  describe('ISR', () => {
    it('drops members whose lease is gone at the start of the term', async () => {
      const t = setup({ isr: ['a', 'b', 'c'], registered: ['a', 'b'] });
      term = t.term;
      await term.start();
      expect(t.leadership.writes).toEqual([['a', 'b']]);
      expect(term.isr).toEqual(['a', 'b']);
    });

    it('removes a lagging follower with a fenced write before the HW moves on without it', async () => {
      const t = setup({ isr: ['a', 'b'], replicaLagMs: 150 });
      term = t.term;
      await term.start();
      const appended = term.append(messages('x'));
      await sleep(50);
      expect(term.highWatermark()).toBe(0);
      await appended;
      expect(t.leadership.writes).toEqual([['a']]);
      expect(term.highWatermark()).toBe(1);
    });

    it('keeps a caught-up idle follower', async () => {
      const t = setup({ isr: ['a', 'b'], replicaLagMs: 50 });
      term = t.term;
      await term.start();
      follower(term, 'b').fetch(0);
      await sleep(250);
      expect(t.leadership.writes).toEqual([]);
    });

    it('does not drop an idle caught-up follower when writes resume', async () => {
      const t = setup({ isr: ['a', 'b'], replicaLagMs: 100 });
      term = t.term;
      await term.start();
      const b = follower(term, 'b');
      b.fetch(0);
      await sleep(5);
      b.fetch(0); // waiting at the log end
      await sleep(300); // idle for longer than the lag limit
      const appended = term.append(messages('x'));
      await sleep(50);
      b.fetch(1);
      await appended;
      expect(t.leadership.writes).toEqual([]);
    });

    it('adds a follower back once it reaches the HW', async () => {
      const t = setup({ isr: ['a'] });
      term = t.term;
      await term.start();
      await term.append(messages('x', 'y'));
      const b = follower(term, 'b');
      b.fetch(0);
      await sleep(5);
      expect(term.isr).toEqual(['a']);
      b.fetch(2);
      await sleep(5);
      expect(t.leadership.writes).toEqual([['a', 'b']]);
      expect(term.isr).toEqual(['a', 'b']);
    });

    it('adds a follower back with the incarnation of its data directory', async () => {
      const t = setup({ isr: ['a'], incarnations: { a: 'ia' } });
      term = t.term;
      await term.start();
      follower(term, 'b', 'ib').fetch(0);
      await sleep(5);
      expect(t.leadership.writes).toEqual([['a', 'b']]);
      expect(t.leadership.written).toEqual([{ a: 'ia', b: 'ib' }]);
    });

    it('drops a member that comes back with another incarnation at once, and takes it back once caught up', async () => {
      const t = setup({ isr: ['a', 'b'], incarnations: { a: 'ia', b: 'ib' } });
      term = t.term;
      await term.start();
      const b = follower(term, 'b', 'ib');
      b.fetch(0);
      await sleep(5);
      b.fetch(0);
      const appended = term.append(messages('x', 'y'));
      await sleep(5);
      b.fetch(2);
      await appended;
      expect(term.highWatermark()).toBe(2);
      expect(t.leadership.writes).toEqual([]);

      // Wiped and restarted under the same id: an empty log and a new incarnation.
      const wiped = follower(term, 'b', 'ib2');
      wiped.fetch(0);
      await sleep(5);
      expect(t.leadership.writes).toEqual([['a']]);
      expect(t.leadership.written).toEqual([{ a: 'ia' }]);
      expect(quietLogger.warn).toHaveBeenCalledWith(
        expect.stringContaining(
          'removed b from ISR: its data directory changed (incarnation ib2; the ISR recorded ib)',
        ),
      );
      wiped.fetch(2);
      await sleep(5);
      expect(t.leadership.writes).toEqual([['a'], ['a', 'b']]);
      expect(t.leadership.written.at(-1)).toEqual({ a: 'ia', b: 'ib2' });
    });

    it('records the incarnation of a member listed before incarnations only once it has caught up', async () => {
      // A log and HW carried over from the previous term.
      const log = new FakeLogStore();
      await log.append(messages('x', 'y'), 3);
      const highWatermark = new HighWatermark();
      highWatermark.advanceTo(2);
      const t = setup({ isr: ['a', 'b'], replicaLagMs: 60_000, log, highWatermark });
      term = t.term;
      await term.start();
      const b = follower(term, 'b', 'ib');
      b.fetch(0); // behind: nothing says this directory is the one the ISR admitted
      await sleep(5);
      expect(t.leadership.writes).toEqual([]);
      b.fetch(2);
      await sleep(5);
      expect(t.leadership.writes).toEqual([['a', 'b']]);
      expect(t.leadership.written).toEqual([{ b: 'ib' }]);
    });

    it('steps down when a fenced write fails', async () => {
      const t = setup({ isr: ['a', 'b'], registered: ['a'] });
      t.leadership.fenced = true;
      term = t.term;
      await term.start();
      expect(t.onFenced).toHaveBeenCalled();
      expect(term.isr).toEqual(['a', 'b']);
    });
  });

  describe('fetch', () => {
    it('answers one response per request, and pushes a response when only the HW moved', async () => {
      const log = new FakeLogStore();
      await log.append(messages('old'), 3); // from an earlier epoch
      const t = setup({ isr: ['a', 'b'], log });
      term = t.term;
      await term.start();
      const b = follower(term, 'b');
      b.fetch(0);
      await sleep(5);
      expect(b.call.responses).toHaveLength(1);
      expect(JSON.parse(b.call.responses[0].batches.toString())).toEqual([
        { offset: 0, message: 'old', epoch: 3 },
      ]);
      b.fetch(1); // acks offset 0: the HW moves to 1
      await sleep(5);
      expect(b.call.responses).toHaveLength(2);
      expect(b.call.responses[1]).toMatchObject({ epoch: 4, high_watermark: 1 });
      expect(b.call.responses[1].batches.length).toBe(0);
      b.fetch(1); // nothing new: waits
      await sleep(5);
      expect(b.call.responses).toHaveLength(2);
      term.append(messages('new')).catch(() => undefined);
      await sleep(5);
      expect(b.call.responses).toHaveLength(3);
    });

    it('ends a stream whose follower claims more log than the leader has', async () => {
      const t = setup({ isr: ['a', 'b'] });
      term = t.term;
      await term.start();
      const b = follower(term, 'b');
      const errors: unknown[] = [];
      b.call.on('error', (error) => errors.push(error));
      b.fetch(5);
      expect(errors).toHaveLength(1);
      expect(b.session.isClosed).toBe(true);
    });
  });
});
