/**
 * The replication protocol in one process, over real gRPC: a leader (LeaderService behind the
 * Replication controller, as in the server) and a FollowerService dialing it, each over an
 * in-memory log. No etcd: the leadership and the membership are small fakes.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { Test } from '@nestjs/testing';
import type { INestMicroservice } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { BehaviorSubject } from 'rxjs';
import {
  MEMBERSHIP,
  type DeadLeaderLeases,
  type Leadership,
  type MemberInfo,
  type Membership,
} from '@distilled/cluster';
import { LOG_STORE } from '@distilled/log-store';
import { freePort } from '@distilled/launcher';
import { parseServerConfig, serverConfig, type ServerConfig } from '../config';
import { GrpcExceptionFilter } from '../errors';
import { replicaGrpcOptions } from '../grpc-options';
import { FakeLogStore } from '../testing/fake-log-store';
import { LogFailures } from './log-failures';
import { FakeReplicaMetadata } from '../testing/fake-replica-metadata';
import { FollowerService } from './follower.service';
import type { LeaderReport } from './leader-reports';
import { LeaderService } from './leader.service';
import { ReplicaState } from './replica-state';
import { ReplicationController } from './replication.controller';

const text = (log: FakeLogStore) => log.entries.map((e) => `${e.epoch}:${e.message.toString()}`);

async function until(what: string, check: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

class FakeLeadership implements Leadership {
  constructor(
    readonly epoch: number,
    public isr: string[],
    public incarnations: Readonly<Record<string, string>> = {},
  ) {}
  async updateIsr(
    isr: string[],
    incarnations: Readonly<Record<string, string>> = this.incarnations,
  ): Promise<boolean> {
    this.isr = isr;
    this.incarnations = incarnations;
    return true;
  }
}

function fakeMembership(ids: string[]): Membership {
  const members = new Map<string, MemberInfo>(ids.map((id) => [id, { id, address: id }]));
  return {
    register: async () => undefined,
    deregister: async () => undefined,
    update: async () => undefined,
    members$: new BehaviorSubject<ReadonlyMap<string, MemberInfo>>(members),
    current: () => members,
  };
}

describe('replication over gRPC (leader and follower in one process)', () => {
  let app: INestMicroservice;
  let leader: LeaderService;
  let leaderLog: FakeLogStore;
  let address: string;
  let follower: FollowerService | undefined;

  async function startLeader(log: FakeLogStore, epoch: number, isr: string[]): Promise<void> {
    const port = await freePort();
    address = `127.0.0.1:${port}`;
    const config: ServerConfig = {
      ...parseServerConfig({ DISTILLED_NODE_ID: 'a', DISTILLED_ADVERTISE: address }),
      replicaLagMs: 60_000,
    };
    const moduleRef = await Test.createTestingModule({
      controllers: [ReplicationController],
      providers: [
        { provide: APP_FILTER, useClass: GrpcExceptionFilter },
        { provide: serverConfig.KEY, useValue: config },
        { provide: LOG_STORE, useValue: log },
        { provide: MEMBERSHIP, useValue: fakeMembership(['a', 'b']) },
        ReplicaState,
        LogFailures,
        LeaderService,
      ],
    }).compile();
    app = moduleRef.createNestMicroservice(replicaGrpcOptions(address));
    await app.listen();
    leader = app.get(LeaderService);
    leaderLog = log;
    await leader.begin(new FakeLeadership(epoch, isr), () => undefined);
  }

  /** What the follower asked etcd to revoke (leader id, epoch). */
  let revoked: Array<[string, number]> = [];
  const leases: DeadLeaderLeases = {
    revoke: async (leaderId, epoch) => {
      revoked.push([leaderId, epoch]);
      return [];
    },
  };

  function startFollower(log: FakeLogStore, epoch: number): { state: ReplicaState } {
    const state = new ReplicaState();
    const config = parseServerConfig({ DISTILLED_NODE_ID: 'b' });
    follower = new FollowerService(
      log,
      config,
      state,
      new FakeReplicaMetadata(),
      new LogFailures(state),
      log,
      leases,
    );
    void follower.follow({ leaderId: 'a', address, epoch });
    return { state };
  }

  afterEach(async () => {
    revoked = [];
    await follower?.close();
    follower = undefined;
    await leader?.end('test over');
    await app?.close();
  });

  it('cuts a divergent tail, then copies the leader log with its epochs and learns the HW', async () => {
    const leaderSide = new FakeLogStore();
    await leaderSide.append([Buffer.from('m0'), Buffer.from('m1')], 1);
    await leaderSide.append([Buffer.from('m2')], 2);
    await startLeader(leaderSide, 3, ['a', 'b']);

    const followerSide = new FakeLogStore();
    await followerSide.append([Buffer.from('m0'), Buffer.from('m1')], 1);
    await followerSide.append([Buffer.from('x2'), Buffer.from('x3')], 1); // never committed
    const { state } = startFollower(followerSide, 3);

    const appended = leader.append({ messages: [Buffer.from('m3')], producer_id: 0, sequence: 0 });
    await expect(appended).resolves.toMatchObject({ base_offset: 3, count: 1, duplicate: false });
    await until('the follower to hold the whole log', () => followerSide.logEndOffset === 4);
    expect(text(followerSide)).toEqual(['1:m0', '1:m1', '2:m2', '3:m3']);
    await until('the follower to learn the HW', () => state.highWatermark.value === 4);
  });

  it('passes on what the leader says in each response: its epoch, HW and log end', async () => {
    const leaderSide = new FakeLogStore();
    await leaderSide.append([Buffer.from('m0'), Buffer.from('m1'), Buffer.from('m2')], 1);
    await startLeader(leaderSide, 2, ['a']); // alone in the ISR: its HW is its log end, 3
    await until('the leader to commit', () => app.get(ReplicaState).highWatermark.value === 3);
    const { state } = startFollower(new FakeLogStore(), 2);
    const reports: LeaderReport[] = [];
    state.leaderReports.onReport((report) => reports.push(report));
    await until('a report', () => reports.length > 0);
    expect(reports[0]).toEqual({ epoch: 2, highWatermark: 3, logEndOffset: 3 });
  });

  it('streams appends as they come and commits each only once the follower has it', async () => {
    await startLeader(new FakeLogStore(), 1, ['a', 'b']);
    const followerSide = new FakeLogStore();
    startFollower(followerSide, 1);
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        leader.append({ messages: [Buffer.from(`m${i}`)], producer_id: 0, sequence: 0 }),
      ),
    );
    expect(results.map((r) => r.base_offset).sort((a, b) => a - b)).toEqual(
      Array.from({ length: 20 }, (_, i) => i),
    );
    expect(followerSide.logEndOffset).toBeGreaterThanOrEqual(20);
    expect(text(followerSide)).toEqual(text(leaderLog));
  });

  it('learns the HW of what it holds without waiting for the append of the batches that came with it', async () => {
    await startLeader(new FakeLogStore(), 1, ['a', 'b']);
    const followerSide = new FakeLogStore();
    // The follower's appends wait for the test: the first (m0) and the second (m1, which comes
    // in the same response as the news that m0 is committed).
    const held: Array<() => void> = [];
    const append = followerSide.appendBatches.bind(followerSide);
    followerSide.appendBatches = async (batches: Buffer) => {
      await new Promise<void>((release) => held.push(release));
      return append(batches);
    };
    const { state } = startFollower(followerSide, 1);
    const m0 = leader.append({ messages: [Buffer.from('m0')], producer_id: 0, sequence: 0 });
    await until('the follower to be appending m0', () => held.length === 1);
    const m1 = leader.append({ messages: [Buffer.from('m1')], producer_id: 0, sequence: 0 });
    held[0]();
    await expect(m0).resolves.toMatchObject({ base_offset: 0 });
    await until('the follower to be appending m1', () => held.length === 2);
    // m0 is committed and in the follower's log: servable there while m1 is still on its way.
    await until(
      'the follower to learn that m0 is committed',
      () => state.highWatermark.value === 1,
    );
    expect(followerSide.logEndOffset).toBe(1);
    held[1]();
    await expect(m1).resolves.toMatchObject({ base_offset: 1 });
    await until(
      'the follower to learn that m1 is committed',
      () => state.highWatermark.value === 2,
    );
  });

  it('fences a follower of another epoch: it copies nothing', async () => {
    const leaderSide = new FakeLogStore();
    await leaderSide.append([Buffer.from('m0')], 2);
    await startLeader(leaderSide, 2, ['a']);
    const followerSide = new FakeLogStore();
    startFollower(followerSide, 1);
    await sleep(300);
    expect(followerSide.logEndOffset).toBe(0);
    // Its fetches fail, but the leader's port accepts: no evidence of death.
    expect(revoked).toEqual([]);
  });

  it('has the leases of a leader whose port refuses connections revoked, once', async () => {
    await startLeader(new FakeLogStore(), 3, ['a', 'b']);
    startFollower(new FakeLogStore(), 3);
    await leader.append({ messages: [Buffer.from('m0')], producer_id: 0, sequence: 0 });
    expect(revoked).toEqual([]);
    await leader.end('the leader process goes away');
    await app.close();
    await until('the revoke', () => revoked.length > 0, 3_000);
    await sleep(500); // the follower keeps retrying: still one revoke
    expect(revoked).toEqual([['a', 3]]);
  });
});
