import { Logger } from '@nestjs/common';
import type { Election } from '@distilled/cluster';
import { logStoreErrors } from '@distilled/log-store';
import { parseServerConfig } from '../config';
import { ElectionHolds } from '../election/election-holds';
import type { RoleService } from '../election/role.service';
import { LogFailures } from '../replication/log-failures';
import { ReplicaState } from '../replication/replica-state';
import { setLeadership } from '../testing/set-leadership';
import { FakeLogStore } from '../testing/fake-log-store';
import { FakeReplicaMetadata } from '../testing/fake-replica-metadata';
import { LogRepair } from './log-repair.service';

const flush = () => new Promise((resolve) => setTimeout(resolve, 5));

function setup(options: { entries?: number; checkpoint?: number } = {}) {
  const log = new FakeLogStore();
  for (let i = 0; i < (options.entries ?? 0); i++) {
    log.entries.push({ message: Buffer.from(`m${i}`), epoch: 1 });
  }
  const metadata = new FakeReplicaMetadata();
  metadata.highWatermarkCheckpoint = options.checkpoint ?? 0;
  const calls: string[] = [];
  const election = {
    setEligible: jest.fn(async (eligible: boolean) => {
      calls.push(`eligible ${eligible}`);
    }),
  } as unknown as Election & { setEligible: jest.Mock };
  const roles = {
    exclusive: jest.fn(async (_why: string, task: () => Promise<unknown>) => {
      calls.push('exclusive');
      await task();
      calls.push(`log ends at ${log.logEndOffset}`);
    }),
  } as unknown as RoleService;
  const state = new ReplicaState();
  const failures = new LogFailures(state);
  state.startedFollowing();
  setLeadership(state, { epoch: 3 });
  setLeadership(state, { isr: ['r1', 'r2', 'r3'] });
  const lines: string[] = [];
  for (const level of ['log', 'warn', 'error'] as const) {
    jest.spyOn(Logger.prototype, level).mockImplementation((...args: unknown[]) => {
      lines.push(`${level}: ${String(args[0])}`);
    });
  }
  const config = parseServerConfig({ DISTILLED_NODE_ID: 'r2' });
  const repair = new LogRepair(
    log,
    metadata,
    new ElectionHolds(election as unknown as Election),
    config,
    state,
    failures,
    roles,
  );
  /**
   * What the follower loop does with one fetch response: append the leader's messages up to
   * `to`, pass on what the leader said, then learn the HW (capped at the log end).
   */
  const refetch = (
    to: number,
    leader: { highWatermark?: number; logEndOffset?: number; epoch?: number } = {},
  ) => {
    while (log.entries.length < to) {
      log.entries.push({ message: Buffer.from(`m${log.entries.length}`), epoch: 1 });
    }
    const highWatermark = leader.highWatermark ?? to;
    state.leaderReports.report({
      epoch: leader.epoch ?? state.epoch,
      highWatermark,
      logEndOffset: leader.logEndOffset ?? Math.max(to, highWatermark),
    });
    state.highWatermark.advanceTo(Math.min(highWatermark, log.logEndOffset));
  };
  const corrupt = (baseOffset: number) =>
    logStoreErrors.corrupt('/data/r2/00000000000000000000.log', 'CRC-32C 1 != stored 2', {
      baseOffset,
      position: 4242,
    });
  return {
    log,
    metadata,
    election,
    roles,
    state,
    failures,
    repair,
    lines,
    calls,
    refetch,
    corrupt,
  };
}

describe('LogRepair', () => {
  afterEach(() => jest.restoreAllMocks());

  describe('at start', () => {
    it('a log that ends below its high-watermark checkpoint is damaged: it stands aside and says why', async () => {
      const t = setup({ entries: 1200, checkpoint: 5000 });
      t.log.recoveryCuts = [
        {
          file: '/data/r2/00000000000000000000.log',
          position: 123456,
          bytes: 999,
          endOffset: 1200,
          reason: 'checksum: CRC-32C 1a != stored 2b',
        },
      ];
      await t.repair.start();
      expect(t.state.damage).toMatchObject({ from: 1200, needed: 5000 });
      expect(t.election.setEligible).toHaveBeenCalledWith(false, expect.any(String));
      expect(t.lines).toContain(
        'error: replica r2: the log lost committed messages 1200..4999 (the segment 00000000000000000000.log was corrupt at byte 123456 (checksum: CRC-32C 1a != stored 2b) and recovery cut it back; high watermark checkpoint 5000): not serving reads or standing for leader until they are re-fetched from the leader',
      );
      expect(t.state.problem).toMatch(
        /^the log lost committed messages 1200\.\.4999 \(.*re-fetching them from the leader/,
      );
      t.repair.onModuleDestroy();
    });

    it('without a recovery cut, it blames lost files', async () => {
      const t = setup({ entries: 0, checkpoint: 10 });
      await t.repair.start();
      expect(t.state.problem).toMatch(
        /lost committed messages 0\.\.9 \(the log ends at offset 0 although it held more: segment files were lost or replaced/,
      );
      t.repair.onModuleDestroy();
    });

    it('a log at or past its checkpoint is fine and is left alone', async () => {
      const t = setup({ entries: 10, checkpoint: 10 });
      await t.repair.start();
      expect(t.state.damage).toBeNull();
      expect(t.election.setEligible).not.toHaveBeenCalled();
      expect(t.lines).toEqual([]);
      t.repair.onModuleDestroy();
    });

    it('is repaired once the log end reaches the checkpoint again: says so and stands for leader', async () => {
      const t = setup({ entries: 1200, checkpoint: 5000 });
      await t.repair.start();
      setLeadership(t.state, { leaderId: 'r1' });
      t.refetch(4000);
      expect(t.state.damage).not.toBeNull();
      t.refetch(5000);
      expect(t.state.damage).toBeNull();
      expect(t.state.problem).toBe('');
      expect(t.election.setEligible).toHaveBeenLastCalledWith(true, expect.any(String));
      expect(t.lines).toContain(
        'log: replica r2: repaired: re-fetched offsets 1200..4999 from leader r1; serving reads and standing for leader again',
      );
      t.repair.onModuleDestroy();
    });

    it("also waits for the leader's word: the checkpoint is this replica's HW, which lagged the leader's", async () => {
      const t = setup({ entries: 1200, checkpoint: 5000 });
      await t.repair.start();
      setLeadership(t.state, { epoch: 3 }); // elected while this replica was down
      setLeadership(t.state, { leaderId: 'r1' });
      t.refetch(5000, { highWatermark: 5000, logEndOffset: 5100 });
      expect(t.state.damage).not.toBeNull(); // a leader of a later epoch: its log end counts
      t.refetch(5100);
      expect(t.state.damage).toBeNull();
      expect(t.lines).toContain(
        "log: replica r2: repaired: re-fetched offsets 1200..4999 from leader r1 and caught up to offset 5100, the leader's log end after the cut; serving reads and standing for leader again",
      );
      t.repair.onModuleDestroy();
    });

    it('says once that there is no leader to fetch from', async () => {
      jest.useFakeTimers();
      try {
        const t = setup({ entries: 3, checkpoint: 8 });
        await t.repair.start();
        jest.advanceTimersByTime(2_000);
        const waiting = t.lines.filter((line) => line.includes('no leader to re-fetch'));
        expect(waiting).toEqual([
          'warn: replica r2: no leader to re-fetch offsets 3..7 from yet; waiting for one to be elected',
        ]);
        t.repair.onModuleDestroy();
      } finally {
        jest.useRealTimers();
      }
    });
  });

  describe('a damaged batch found at run time', () => {
    it('below the HW: reads refused at once, stands aside, cuts on the role queue, re-fetches, repaired', async () => {
      const t = setup({ entries: 10 });
      await t.repair.start();
      t.state.highWatermark.advanceTo(10);
      t.failures.report(t.corrupt(4), 'a client read of offset 5');
      expect(t.state.damage).toMatchObject({ from: 4, needed: 10 }); // before any await
      await flush();
      expect(t.calls).toEqual(['eligible false', 'exclusive', 'log ends at 4']);
      expect(t.state.highWatermark.value).toBe(4);
      expect(t.lines.find((line) => line.startsWith('error:'))).toBe(
        'error: replica r2: the log lost committed messages 4..9 (the batch at byte 4242 of the segment 00000000000000000000.log was corrupt, found by a client read of offset 5, and the log is cut back to offset 4; high watermark 10): not serving reads or standing for leader until they are re-fetched from the leader',
      );
      setLeadership(t.state, { leaderId: 'r1' });
      t.refetch(10);
      expect(t.state.damage).toBeNull();
      expect(t.calls.at(-1)).toBe('eligible true');
      expect(t.lines.at(-1)).toBe(
        'log: replica r2: repaired: re-fetched offsets 4..9 from leader r1; serving reads and standing for leader again',
      );
      t.repair.onModuleDestroy();
    });

    it('the checkpoint counts as HW too: a restarted replica that has not learnt the HW yet', async () => {
      const t = setup({ entries: 10, checkpoint: 8 });
      await t.repair.start();
      t.failures.report(t.corrupt(6), 'a client read of offset 6');
      expect(t.state.damage).toMatchObject({ from: 6, needed: 8 });
      await flush();
      t.repair.onModuleDestroy();
    });

    it('a leader, at or above its HW: only cut, with a warning; no damage, and it stands for leader again at once', async () => {
      const t = setup({ entries: 10 });
      await t.repair.start();
      t.state.leading(t.state.leadership);
      t.state.highWatermark.advanceTo(6);
      t.failures.report(t.corrupt(8), 'the leader reading batches for r3');
      expect(t.state.damage).toBeNull();
      await flush();
      expect(t.calls).toEqual(['eligible false', 'exclusive', 'log ends at 8', 'eligible true']);
      expect(t.lines).toEqual([
        'warn: replica r2: the batch at byte 4242 of the segment 00000000000000000000.log was corrupt, found by the leader reading batches for r3; it is not committed (high watermark 6), so the log is cut back to offset 8 and it is fetched again from the leader',
      ]);
      t.repair.onModuleDestroy();
    });

    it('a leader whose HW passed the batch before its term ended: damage after all, re-fetched up to that HW', async () => {
      const t = setup({ entries: 10 });
      await t.repair.start();
      t.state.leading(t.state.leadership);
      t.state.highWatermark.advanceTo(6);
      t.failures.report(t.corrupt(8), 'the leader reading batches for r3');
      t.state.highWatermark.advanceTo(9); // the term still ran: r3 had the batch already
      await flush();
      expect(t.state.damage).toMatchObject({ from: 8, needed: 9 });
      expect(t.calls).toEqual(['eligible false', 'exclusive', 'log ends at 8']);
      t.repair.onModuleDestroy();
    });

    it("a follower, above its HW but below the leader's: no leader until its log reaches the leader's next HW", async () => {
      const t = setup({ entries: 10 });
      await t.repair.start();
      t.state.highWatermark.advanceTo(6); // the leader's is 10 already: its answer is on the way
      t.failures.report(t.corrupt(8), 'a client read of offset 8');
      expect(t.state.damage).toBeNull(); // reads below 8 are fine; the HW is clamped to the cut
      await flush();
      expect(t.calls).toEqual(['eligible false', 'exclusive', 'log ends at 8']);
      expect(t.state.highWatermark.value).toBe(6);
      expect(t.lines).toEqual([
        "warn: replica r2: the batch at byte 4242 of the segment 00000000000000000000.log was corrupt, found by a client read of offset 8; it is at or past this follower's high watermark 6, which may lag the leader's, so the log is cut back to offset 8, it is fetched again from the leader, and this replica does not stand for leader until its log reaches the leader's log end",
      ]);
      expect(t.state.problem).toMatch(/cut back to offset 8 .*not standing for leader until/);
      setLeadership(t.state, { leaderId: 'r1' });
      t.refetch(9, { highWatermark: 10, logEndOffset: 10 }); // the first answer after the cut
      expect(t.state.highWatermark.value).toBe(9);
      expect(t.calls).not.toContain('eligible true');
      expect(t.state.problem).toMatch(/until the log reaches offset 10/);
      t.refetch(10);
      expect(t.calls.at(-1)).toBe('eligible true');
      expect(t.state.problem).toBe('');
      expect(t.lines.at(-1)).toBe(
        "log: replica r2: caught up: after the cut at offset 8 the log reached offset 10, leader r1's log end after the cut; standing for leader again",
      );
      t.repair.onModuleDestroy();
    });

    it("a young leader whose HW lags what its predecessor committed: the follower waits for the leader's log end", async () => {
      const t = setup({ entries: 10 });
      await t.repair.start();
      t.state.highWatermark.advanceTo(6); // the old leader committed up to 10; this one heard 6
      t.failures.report(t.corrupt(8), 'a client read of offset 8');
      await flush();
      setLeadership(t.state, { leaderId: 'r1' });
      // The new leader of this epoch still has the HW it had as a follower: 6. Its log: 10.
      t.refetch(8, { highWatermark: 6, logEndOffset: 10 });
      t.refetch(9, { highWatermark: 6, logEndOffset: 10 });
      expect(t.calls).not.toContain('eligible true');
      t.refetch(10, { highWatermark: 6, logEndOffset: 10 });
      expect(t.calls.at(-1)).toBe('eligible true');
      t.repair.onModuleDestroy();
    });

    it('a leader deposed between finding a batch and cutting it, that followed meanwhile: catches up too', async () => {
      const t = setup({ entries: 10 });
      await t.repair.start();
      t.state.leading(t.state.leadership);
      t.state.highWatermark.advanceTo(6);
      t.failures.report(t.corrupt(8), 'the leader reading batches for r3');
      // Before the cut runs: deposed, it follows r1, whose log (and HW) is past the batch.
      t.state.startedFollowing();
      setLeadership(t.state, { epoch: 4 });
      t.state.leaderReports.report({ epoch: 4, highWatermark: 6, logEndOffset: 12 });
      await flush();
      expect(t.calls).toEqual(['eligible false', 'exclusive', 'log ends at 8']);
      setLeadership(t.state, { leaderId: 'r1' });
      t.refetch(11, { epoch: 4, highWatermark: 11, logEndOffset: 12 });
      expect(t.calls).not.toContain('eligible true');
      t.refetch(12, { epoch: 4, highWatermark: 12 });
      expect(t.calls.at(-1)).toBe('eligible true');
      t.repair.onModuleDestroy();
    });

    it("the only ISR member cutting an uncommitted batch stands again at once: its HW is the cluster's", async () => {
      const t = setup({ entries: 10 });
      await t.repair.start();
      setLeadership(t.state, { isr: ['r2'] });
      t.state.highWatermark.advanceTo(6);
      t.failures.report(t.corrupt(8), 'a client read of offset 8');
      await flush();
      expect(t.calls).toEqual(['eligible false', 'exclusive', 'log ends at 8', 'eligible true']);
      t.repair.onModuleDestroy();
    });

    it('writes the catch-up note before cutting, and deletes it once caught up', async () => {
      const t = setup({ entries: 10 });
      await t.repair.start();
      const order: string[] = [];
      const record = t.metadata.recordCatchUp.bind(t.metadata);
      jest.spyOn(t.metadata, 'recordCatchUp').mockImplementation(async (value) => {
        order.push(`note ${value.from}/${value.known}`);
        await record(value);
      });
      const truncate = t.log.truncateTo.bind(t.log);
      jest.spyOn(t.log, 'truncateTo').mockImplementation(async (offset) => {
        order.push(`cut ${offset}`);
        await truncate(offset);
      });
      t.state.highWatermark.advanceTo(6);
      t.failures.report(t.corrupt(8), 'a client read of offset 8');
      await flush();
      expect(order).toEqual(['note 8/6', 'cut 8']);
      expect(t.metadata.pendingCatchUp).toEqual({ from: 8, known: 6 });
      setLeadership(t.state, { leaderId: 'r1' });
      t.refetch(10, { highWatermark: 10 });
      expect(t.calls.at(-1)).toBe('eligible true');
      await flush();
      expect(t.metadata.pendingCatchUp).toBeNull();
      t.repair.onModuleDestroy();
    });

    it('a restart before catching up does not forget it: the note keeps the replica out of the election', async () => {
      const before = setup({ entries: 10 });
      await before.repair.start();
      before.state.highWatermark.advanceTo(6);
      before.failures.report(before.corrupt(8), 'a client read of offset 8');
      await flush();
      before.repair.onModuleDestroy(); // the leader died; an operator restarts this replica
      const t = setup({ entries: 8 });
      t.metadata.pendingCatchUp = before.metadata.pendingCatchUp;
      await t.repair.start();
      expect(t.calls).toEqual(['eligible false']);
      expect(t.lines).toContain(
        'warn: replica r2: its log was cut back to offset 8 before this start and had not caught up with a leader yet (data/r2/catch-up says so): not standing for leader until its log reaches what the leader holds. If no other replica will ever come back (this one holds the only copy of the log), stop it and delete data/r2/catch-up: it then stands for leader with what it has, and acknowledged messages past offset 8 that its log lacks are lost',
      );
      expect(t.state.problem).toMatch(/cut back to offset 8/);
      setLeadership(t.state, { leaderId: 'r3' });
      t.refetch(9, { epoch: 4, highWatermark: 9, logEndOffset: 10 });
      expect(t.calls.at(-1)).toBe('eligible false');
      t.refetch(10, { epoch: 4, highWatermark: 10 });
      expect(t.calls.at(-1)).toBe('eligible true');
      await flush();
      expect(t.metadata.pendingCatchUp).toBeNull();
      t.repair.onModuleDestroy();
    });

    it('damage found at start writes the catch-up file too, so a second restart still waits', async () => {
      const t = setup({ entries: 5, checkpoint: 10 });
      await t.repair.start();
      expect(t.metadata.pendingCatchUp).toEqual({ from: 5, known: 10 });
      setLeadership(t.state, { leaderId: 'r1' });
      t.refetch(12, { highWatermark: 12, logEndOffset: 20 });
      expect(t.calls.at(-1)).toBe('eligible false');
      expect(t.metadata.pendingCatchUp).toEqual({ from: 5, known: 10 });
      t.refetch(20);
      expect(t.calls.at(-1)).toBe('eligible true');
      await flush();
      expect(t.metadata.pendingCatchUp).toBeNull();
      t.repair.onModuleDestroy();
    });

    it('a leader that moved to a new epoch before cutting catches up, even before hearing its leader', async () => {
      const t = setup({ entries: 10 });
      await t.repair.start();
      t.state.leading(t.state.leadership);
      t.state.highWatermark.advanceTo(6);
      t.failures.report(t.corrupt(8), 'the leader reading batches for r3');
      t.state.startedFollowing();
      setLeadership(t.state, { epoch: 4 }); // following r1 already; its first answer has not arrived
      await flush();
      expect(t.calls).toEqual(['eligible false', 'exclusive', 'log ends at 8']);
      expect(t.metadata.pendingCatchUp).toEqual({ from: 8, known: 6 });
      t.repair.onModuleDestroy();
    });

    it('an ISR not known yet (empty) is no proof of being the only member: it catches up', async () => {
      const t = setup({ entries: 10 });
      await t.repair.start();
      setLeadership(t.state, { isr: [] });
      t.state.highWatermark.advanceTo(6);
      t.failures.report(t.corrupt(8), 'a client read of offset 8');
      await flush();
      expect(t.calls).toEqual(['eligible false', 'exclusive', 'log ends at 8']);
      t.repair.onModuleDestroy();
    });

    it('keeps trying to delete the catch-up file when a delete fails', async () => {
      jest.useFakeTimers();
      try {
        const t = setup({ entries: 10 });
        await t.repair.start();
        t.state.highWatermark.advanceTo(6);
        t.failures.report(t.corrupt(8), 'a client read of offset 8');
        await jest.advanceTimersByTimeAsync(10);
        const clear = jest
          .spyOn(t.metadata, 'clearCatchUp')
          .mockRejectedValueOnce(new Error('EIO'))
          .mockImplementation(async () => {
            t.metadata.pendingCatchUp = null;
          });
        setLeadership(t.state, { leaderId: 'r1' });
        t.refetch(10, { highWatermark: 10 });
        await jest.advanceTimersByTimeAsync(1_100);
        expect(clear).toHaveBeenCalledTimes(2);
        expect(t.metadata.pendingCatchUp).toBeNull();
        expect(t.lines).toContain(
          'warn: could not delete the catch-up file in the data directory (EIO); retrying in 1 s',
        );
        t.repair.onModuleDestroy();
      } finally {
        jest.useRealTimers();
      }
    });

    it('a follower stands aside until the leader has answered, even with its log end past its own HW', async () => {
      const t = setup({ entries: 10 });
      await t.repair.start();
      t.state.highWatermark.advanceTo(6);
      t.failures.report(t.corrupt(9), 'a client read of offset 9');
      await flush();
      t.state.highWatermark.advanceTo(7); // not what the leader said: does not count
      expect(t.calls).not.toContain('eligible true');
      t.refetch(10, { highWatermark: 9 });
      expect(t.calls.at(-1)).toBe('eligible true');
      t.repair.onModuleDestroy();
    });

    it("a leader elected since the cut: its log end counts too (its HW may lag its predecessor's)", async () => {
      const t = setup({ entries: 10 });
      await t.repair.start();
      t.state.highWatermark.advanceTo(6);
      t.failures.report(t.corrupt(8), 'a client read of offset 8');
      await flush();
      setLeadership(t.state, { epoch: 4 });
      t.refetch(9, { epoch: 4, highWatermark: 7, logEndOffset: 12 });
      t.refetch(11, { epoch: 4, highWatermark: 11 });
      expect(t.calls).not.toContain('eligible true');
      t.refetch(12, { epoch: 4, highWatermark: 12 });
      expect(t.calls.at(-1)).toBe('eligible true');
      t.repair.onModuleDestroy();
    });

    it("a follower with committed damage also waits for the leader: its HW lagged the leader's", async () => {
      const t = setup({ entries: 10 });
      await t.repair.start();
      t.state.highWatermark.advanceTo(10);
      t.failures.report(t.corrupt(4), 'a client read of offset 4');
      await flush();
      setLeadership(t.state, { leaderId: 'r1' });
      t.refetch(10, { highWatermark: 15 });
      expect(t.state.damage).not.toBeNull();
      t.refetch(15);
      expect(t.state.damage).toBeNull();
      expect(t.calls.at(-1)).toBe('eligible true');
      expect(t.lines.at(-1)).toBe(
        "log: replica r2: repaired: re-fetched offsets 4..9 from leader r1 and caught up to offset 15, the leader's log end after the cut; serving reads and standing for leader again",
      );
      t.repair.onModuleDestroy();
    });

    it('a restart with the note and a log below its checkpoint does not suggest deleting the note (that alone would not release it)', async () => {
      const t = setup({ entries: 8, checkpoint: 10 });
      t.metadata.pendingCatchUp = { from: 8, known: 6 };
      await t.repair.start();
      const resumed = t.lines.filter((line) => line.includes('before this start'));
      expect(resumed).toEqual([
        'warn: replica r2: its log was cut back to offset 8 before this start and had not caught up with a leader yet (data/r2/catch-up says so): not standing for leader until its log reaches what the leader holds',
      ]);
      expect(t.calls).not.toContain('eligible true');
      t.repair.onModuleDestroy();
    });

    it('a follower that cut its log says once that there is no leader to catch up from', async () => {
      jest.useFakeTimers();
      try {
        const t = setup({ entries: 10 });
        await t.repair.start();
        t.state.highWatermark.advanceTo(6);
        t.failures.report(t.corrupt(8), 'a client read of offset 8');
        await jest.advanceTimersByTimeAsync(2_000);
        expect(t.lines.filter((line) => line.includes('no leader to catch up'))).toEqual([
          'warn: replica r2: no leader to catch up from after cutting the log at offset 8; not standing for leader until one is elected and this log reaches its log end. If no other replica will ever come back (this one holds the only copy of the log), stop it and delete data/r2/catch-up: it then stands for leader with what it has, and acknowledged messages past offset 8 that its log lacks are lost',
        ]);
        t.repair.onModuleDestroy();
      } finally {
        jest.useRealTimers();
      }
    });

    it('the same batch reported by several reads at once is cut once', async () => {
      const t = setup({ entries: 10 });
      await t.repair.start();
      t.state.highWatermark.advanceTo(10);
      for (let i = 0; i < 3; i++) t.failures.report(t.corrupt(4), 'a client read');
      await flush();
      expect(t.roles.exclusive).toHaveBeenCalledTimes(1);
      t.repair.onModuleDestroy();
    });

    it('is not taken for repaired while the cut is still to come', async () => {
      const t = setup({ entries: 10 });
      await t.repair.start();
      t.state.highWatermark.advanceTo(9);
      t.failures.report(t.corrupt(4), 'a client read');
      t.state.highWatermark.advanceTo(10); // the follower loop, before the cut ran
      expect(t.state.damage).not.toBeNull();
      await flush();
      expect(t.state.damage).not.toBeNull();
      t.repair.onModuleDestroy();
    });

    it('the only in-sync replica keeps the batch (cutting would lose the tail for good), stands aside and says what to do', async () => {
      const t = setup({ entries: 10 });
      await t.repair.start();
      setLeadership(t.state, { isr: ['r2'] });
      t.state.highWatermark.advanceTo(10);
      t.failures.report(t.corrupt(4), 'a client read of offset 4');
      await flush();
      expect(t.roles.exclusive).not.toHaveBeenCalled();
      expect(t.log.logEndOffset).toBe(10);
      expect(t.election.setEligible).toHaveBeenCalledWith(false, expect.any(String));
      expect(t.state.damage).toMatchObject({ from: 4, needed: 10, kept: expect.any(String) });
      expect(t.state.problem).toMatch(
        /no other in-sync replica holds these messages \(cutting the log would delete everything after the batch for good\), so the log is not cut/,
      );
      expect(t.lines.find((line) => line.startsWith('error:'))).toMatch(
        /restore this replica's data directory/,
      );
      t.state.highWatermark.advanceTo(11); // not "repaired": the damaged batch is still there
      expect(t.state.damage).not.toBeNull();
      t.repair.onModuleDestroy();
    });

    it('a cut that fails is not taken for a repair: the damage is kept for an operator', async () => {
      const t = setup({ entries: 10 });
      await t.repair.start();
      t.state.highWatermark.advanceTo(10);
      jest.spyOn(t.log, 'truncateTo').mockRejectedValue(new Error('EIO'));
      t.failures.report(t.corrupt(4), 'a client read');
      await flush();
      expect(t.log.logEndOffset).toBe(10);
      expect(t.state.damage).toMatchObject({ from: 4, kept: expect.any(String) });
      expect(t.state.problem).toMatch(/cutting the log failed \(EIO\), so the log is not cut/);
      t.state.highWatermark.advanceTo(12);
      expect(t.state.damage).not.toBeNull();
      t.repair.onModuleDestroy();
    });

    it('does nothing while the replica shuts down', async () => {
      const t = setup({ entries: 10 });
      await t.repair.start();
      t.state.highWatermark.advanceTo(10);
      t.state.beganShutdown();
      t.failures.report(t.corrupt(4), 'a client read');
      await flush();
      expect(t.state.damage).toBeNull();
      expect(t.roles.exclusive).not.toHaveBeenCalled();
      t.repair.onModuleDestroy();
    });
  });
});
