import { status as GrpcStatus } from '@grpc/grpc-js';
import { ErrorMetadata, ErrorReason, type AppendBatch } from '@distilled/proto';
import { ReplicaError } from '../errors/replica-error';
import { parseServerConfig } from '../config';
import type { LeaderService } from '../replication/leader.service';
import type { KeyedPartRequest, SettlePart } from '../replication/keyed-appends';
import type { LeaderTerm } from '../replication/leader-term';
import { LogFailures } from '../replication/log-failures';
import { ReplicaState } from '../replication/replica-state';
import { setLeadership } from '../testing/set-leadership';
import { FakeLogStore } from '../testing/fake-log-store';
import { READ_BATCH_MAX_BYTES, ReplicaService } from './replica.service';

function setup(options: { leading?: boolean } = {}) {
  const log = new FakeLogStore();
  const state = new ReplicaState();
  const append = jest.fn(async (_request: AppendBatch) => ({
    base_offset: 0,
    count: 1,
    duplicate: false,
  }));
  // The parts of a request with parts go to appendParts together; each is settled on its own.
  const appendParts = jest.fn((parts: readonly KeyedPartRequest[], settle: SettlePart) => {
    for (const part of parts)
      settle(part.index, { baseOffset: 0, count: 1, duplicate: false }, null);
  });
  const leader = {
    currentTerm: options.leading ? ({} as LeaderTerm) : undefined,
    append,
    appendParts,
  } as unknown as LeaderService;
  const config = parseServerConfig({ DISTILLED_NODE_ID: 'a', DISTILLED_ADVERTISE: 'a:1' });
  const failures = new LogFailures(state);
  const service = new ReplicaService(log, config, state, leader, failures, log);
  return { log, state, failures, append, appendParts, service };
}

const request = { messages: [Buffer.from('x')], producer_id: 0, sequence: 0 };

describe('ReplicaService', () => {
  describe('append', () => {
    it('goes to the leader term when this replica leads', async () => {
      const { service, append } = setup({ leading: true });
      await expect(service.append(request)).resolves.toMatchObject({ base_offset: 0 });
      expect(append).toHaveBeenCalledWith(request);
    });

    it('names the leader on a follower', async () => {
      const { service, state } = setup();
      setLeadership(state, { leaderId: 'b' });
      setLeadership(state, { leaderAddress: 'b:1' });
      await expect(service.append(request)).rejects.toMatchObject({
        reason: ErrorReason.NotLeader,
        details: { leaderId: 'b', leaderAddress: 'b:1' },
      });
    });

    it('says no-leader when none is known or the leader is not reachable', async () => {
      const { service, state } = setup();
      await expect(service.append(request)).rejects.toMatchObject({ reason: ErrorReason.NoLeader });
      setLeadership(state, { leaderId: 'b' }); // in etcd, but its lease is gone: no address
      await expect(service.append(request)).rejects.toMatchObject({ reason: ErrorReason.NoLeader });
    });

    it('hands the parts of a request with parts to the leader together, each with its own key, and answers each', async () => {
      const { service, appendParts } = setup({ leading: true });
      appendParts.mockImplementation((parts, settle) => {
        // Settled out of order: each answer still lands at its part's index.
        for (const part of [...parts].reverse()) {
          if (part.tag.key === 'b') settle(part.index, null, ReplicaError.keyMismatch('b'));
          else
            settle(
              part.index,
              { baseOffset: part.tag.key === 'a' ? 4 : 6, count: 2, duplicate: false },
              null,
            );
        }
      });
      const hash = (key: string) => Buffer.from(`hash-${key}`);
      const response = await service.append({
        messages: ['a1', 'a2', 'b1', 'c1', 'c2'].map((text) => Buffer.from(text)),
        producer_id: 0,
        sequence: 0,
        parts: [
          { idempotency_key: 'a', request_hash: hash('a'), count: 2 },
          { idempotency_key: 'b', request_hash: hash('b'), count: 1 },
          { idempotency_key: 'c', request_hash: hash('c'), count: 2 },
        ],
      });
      expect(appendParts).toHaveBeenCalledTimes(1);
      expect(
        appendParts.mock.calls[0][0].map((part) => [
          part.index,
          part.tag.key,
          String(part.tag.hash),
          part.messages.map(String),
        ]),
      ).toEqual([
        [0, 'a', 'hash-a', ['a1', 'a2']],
        [1, 'b', 'hash-b', ['b1']],
        [2, 'c', 'hash-c', ['c1', 'c2']],
      ]);
      expect(response.parts?.map((part) => part.result?.base_offset ?? part.error?.code)).toEqual([
        4,
        GrpcStatus.FAILED_PRECONDITION,
        6,
      ]);
    });

    it('answers every part of a request with parts not-leader on a follower', async () => {
      const { service, state, appendParts } = setup();
      setLeadership(state, { leaderId: 'b' });
      setLeadership(state, { leaderAddress: 'b:1' });
      const response = await service.append({
        messages: [Buffer.from('a1'), Buffer.from('b1')],
        producer_id: 0,
        sequence: 0,
        parts: [
          { idempotency_key: 'a', request_hash: Buffer.from('h'), count: 1 },
          { idempotency_key: 'b', request_hash: Buffer.from('h'), count: 1 },
        ],
      });
      expect(appendParts).not.toHaveBeenCalled();
      expect(response.parts?.map((part) => part.error?.metadata[ErrorMetadata.reason])).toEqual([
        ErrorReason.NotLeader,
        ErrorReason.NotLeader,
      ]);
    });

    it('refuses while shutting down, even as leader', async () => {
      const { service, state, append } = setup({ leading: true });
      state.beganShutdown();
      await expect(service.append(request)).rejects.toMatchObject({
        reason: ErrorReason.ShuttingDown,
      });
      expect(append).not.toHaveBeenCalled();
    });
  });

  describe('read', () => {
    it('serves below the high watermark only', async () => {
      const { service, log, state } = setup();
      await log.append([Buffer.from('m0'), Buffer.from('m1')], 1);
      state.highWatermark.advanceTo(1);
      await expect(service.read(0)).resolves.toMatchObject({ offset: 0, high_watermark: 1 });
      await expect(service.read(1)).rejects.toMatchObject({
        reason: ErrorReason.NotCommitted,
        details: { highWatermark: 1, logEndOffset: 2, role: 'starting' },
      });
    });

    it('as leader, holds a read of a written offset until the high watermark passes it', async () => {
      const { service, log, state } = setup({ leading: true });
      await log.append([Buffer.from('m0'), Buffer.from('m1')], 1);
      const read = service.read(1);
      setTimeout(() => state.highWatermark.advanceTo(2), 20);
      await expect(read).resolves.toMatchObject({ offset: 1, high_watermark: 2 });
    });

    it('as leader, says "not committed" with role leader past its log end at once', async () => {
      const { service, log } = setup({ leading: true });
      await log.append([Buffer.from('m0')], 1);
      await expect(service.read(5)).rejects.toMatchObject({
        reason: ErrorReason.NotCommitted,
        details: { logEndOffset: 1, role: 'leader' },
      });
    });

    it.each([-1, 1.5, Number.MAX_SAFE_INTEGER + 2])(
      'rejects offset %p as invalid',
      async (offset) => {
        const { service } = setup();
        await expect(service.read(offset)).rejects.toMatchObject({
          reason: ErrorReason.InvalidArgument,
        });
      },
    );
  });

  describe('while the log is being repaired', () => {
    const damaged = (state: ReplicaState) => {
      state.lacksCommitted({ from: 1, needed: 3 }, 'the log lost committed messages 1..2 (test)');
    };

    it('refuses Read, even of an offset it still holds, with reason repairing', async () => {
      const { service, log, state } = setup();
      await log.append([Buffer.from('m0'), Buffer.from('m1'), Buffer.from('m2')], 1);
      state.highWatermark.advanceTo(1);
      damaged(state);
      await expect(service.read(0)).rejects.toMatchObject({
        reason: ErrorReason.Repairing,
        message: expect.stringContaining('lost committed messages 1..2'),
      });
    });

    it('refuses ReadBatch as a whole with reason repairing', async () => {
      const { service, log, state } = setup();
      await log.append([Buffer.from('m0')], 1);
      state.highWatermark.advanceTo(1);
      damaged(state);
      await expect(service.readBatch([0])).rejects.toMatchObject({
        reason: ErrorReason.Repairing,
      });
    });

    it('reports a damaged batch a read meets, saying which read found it', async () => {
      const { service, log, state, failures } = setup();
      await log.append([Buffer.from('m0'), Buffer.from('m1')], 1);
      state.highWatermark.advanceTo(2);
      log.damaged.add(1);
      const seen: [number, string][] = [];
      failures.onCorruption((at, foundBy) => seen.push([at.baseOffset, foundBy]));
      await expect(service.read(1)).rejects.toMatchObject({ code: 'CORRUPT' });
      await expect(service.readBatch([0, 1])).rejects.toMatchObject({ code: 'CORRUPT' });
      expect(seen).toEqual([
        [1, 'a client read of offset 1'],
        [1, 'a client read (ReadBatch)'],
      ]);
    });
  });

  describe('readBatch', () => {
    it('serves each offset below the high watermark and marks the rest not found', async () => {
      const { service, log, state } = setup();
      await log.append([Buffer.from('m0'), Buffer.from('m1'), Buffer.from('m2')], 1);
      state.highWatermark.advanceTo(2);
      const answer = await service.readBatch([1, 2, 0, 7, 1]);
      expect(answer.found).toEqual([true, false, true, false, true]);
      expect(answer.messages.map(String)).toEqual(['m1', '', 'm0', '', 'm1']);
      expect(answer.high_watermark).toBe(2);
    });

    it('caps the answer in bytes, always answering at least one offset', async () => {
      const { service, log, state } = setup();
      const big = Buffer.alloc(READ_BATCH_MAX_BYTES - 10, 1);
      await log.append([big, big, Buffer.from('x')], 1);
      state.highWatermark.advanceTo(3);
      const answer = await service.readBatch([0, 1, 2]);
      expect(answer.found).toEqual([true]);
      expect(answer.messages[0].length).toBe(big.length);
      expect((await service.readBatch([2, 1])).found).toEqual([true, true]);
    });

    it.each([[[]], [[-1]], [[0, 1.5]], [Array.from({ length: 10_001 }, () => 0)]])(
      'rejects %p as invalid',
      async (offsets) => {
        const { service } = setup();
        await expect(service.readBatch(offsets)).rejects.toMatchObject({
          reason: ErrorReason.InvalidArgument,
        });
      },
    );
  });

  describe('status', () => {
    it('reports role, leader, ISR and offsets', () => {
      const { service, state } = setup();
      state.startedFollowing();
      setLeadership(state, { epoch: 3 });
      setLeadership(state, { leaderId: 'b' });
      setLeadership(state, { leaderAddress: 'b:1' });
      setLeadership(state, { isr: ['b', 'a'] });
      state.highWatermark.advanceTo(0);
      expect(service.status()).toEqual({
        id: 'a',
        address: 'a:1',
        role: 'follower',
        epoch: 3,
        leader_id: 'b',
        leader_address: 'b:1',
        isr: ['b', 'a'],
        in_sync: true,
        log_end_offset: 0,
        high_watermark: 0,
        problem: '',
        log_start_offset: 0,
        log_size_bytes: 0,
        segments_deleted: 0,
        disk_full: false,
      });
    });

    it('says disk_full while the disk refuses log writes', () => {
      const { service, state } = setup();
      state.disk.refused('the disk holding /d is full');
      expect(service.status().disk_full).toBe(true);
      state.disk.wrote();
      expect(service.status().disk_full).toBe(false);
    });
  });
});
