import { BehaviorSubject, Subject } from 'rxjs';
import type {
  ClusterStateStore,
  Election,
  ElectionEvent,
  Leadership,
  MemberInfo,
  Membership,
  VersionedClusterState,
} from '@distilled/cluster';
import { parseServerConfig } from '../config';
import type { FollowerService, LeaderTarget } from '../replication/follower.service';
import type { LeaderService } from '../replication/leader.service';
import type { LeaderTerm } from '../replication/leader-term';
import { ReplicaState } from '../replication/replica-state';
import { RoleService } from './role.service';

const INCARNATION = { id: 'inc-a', isNew: false };
const flush = () => new Promise((resolve) => setTimeout(resolve, 10));

function setup() {
  const events = new Subject<ElectionEvent>();
  const election: Election = {
    start: jest.fn(async () => undefined),
    stop: jest.fn(async () => undefined),
    setEligible: jest.fn(async () => undefined),
    events$: events,
    isLeader: () => false,
  };
  const state$ = new BehaviorSubject<VersionedClusterState | null>(null);
  const stateStore: ClusterStateStore = {
    read: async () => state$.value,
    state$,
    current: () => state$.value,
  };
  const members$ = new BehaviorSubject<ReadonlyMap<string, MemberInfo>>(new Map());
  const membership: Membership = {
    register: async () => undefined,
    deregister: async () => undefined,
    update: async () => undefined,
    members$,
    current: () => members$.value,
  };
  const calls: string[] = [];
  let term: Partial<LeaderTerm> | undefined;
  const leader = {
    get currentTerm() {
      return term;
    },
    begin: jest.fn(async (leadership: Leadership) => {
      calls.push(`begin ${leadership.epoch}`);
      term = { epoch: leadership.epoch, membersChanged: jest.fn(), drain: async () => undefined };
    }),
    end: jest.fn(async (why: string) => {
      if (term) calls.push(`end ${why}`);
      term = undefined;
    }),
  } as unknown as LeaderService;
  const follower = {
    follow: jest.fn(async (target: LeaderTarget | null) => {
      calls.push(
        target ? `follow ${target.leaderId}@${target.address}/${target.epoch}` : 'follow none',
      );
    }),
    close: jest.fn(async () => undefined),
  } as unknown as FollowerService;
  const state = new ReplicaState();
  const roles = new RoleService(
    election,
    stateStore,
    membership,
    parseServerConfig({ DISTILLED_NODE_ID: 'a' }),
    state,
    leader,
    follower,
  );
  const cluster = (epoch: number, leaderId: string | null, isr: string[]) =>
    state$.next({ state: { epoch, leader: leaderId, isr }, modRevision: String(epoch) });
  const members = (...ids: string[]) =>
    members$.next(new Map(ids.map((id) => [id, { id, address: `${id}:1` }])));
  const leadership = (epoch: number): Leadership => ({
    epoch,
    isr: ['a', 'b'],
    incarnations: {},
    updateIsr: async () => true,
  });
  return { roles, events, election, state, calls, cluster, members, leadership, leader };
}

describe('RoleService', () => {
  it('follows the leader named in etcd once its address is known', async () => {
    const t = setup();
    await t.roles.start(INCARNATION);
    t.cluster(3, 'b', ['a', 'b']);
    await flush();
    expect(t.calls.at(-1)).toBe('follow none'); // b is not registered: nowhere to dial
    t.members('a', 'b');
    await flush();
    expect(t.calls.at(-1)).toBe('follow b@b:1/3');
    expect(t.state).toMatchObject({
      role: 'follower',
      epoch: 3,
      leaderId: 'b',
      leaderAddress: 'b:1',
    });
  });

  it('stops following before it leads, and follows again after it is deposed', async () => {
    const t = setup();
    await t.roles.start(INCARNATION);
    t.members('a', 'b');
    t.cluster(3, 'b', ['a', 'b']);
    await flush();
    t.events.next({ type: 'elected', leadership: t.leadership(4) });
    await flush();
    expect(t.calls.slice(-2)).toEqual(['follow none', 'begin 4']);
    t.cluster(4, 'a', ['a', 'b']);
    t.events.next({ type: 'deposed', reason: 'lost etcd lease' });
    await flush();
    expect(t.calls).toContain('end lost etcd lease');
    t.cluster(5, 'b', ['a', 'b']);
    await flush();
    expect(t.calls.at(-1)).toBe('follow b@b:1/5');
  });

  it('steps down at once when etcd shows a newer epoch than its own term', async () => {
    const t = setup();
    await t.roles.start(INCARNATION);
    t.members('a', 'b');
    t.events.next({ type: 'elected', leadership: t.leadership(4) });
    await flush();
    t.cluster(5, 'b', ['a', 'b']);
    await flush();
    expect(t.calls.some((call) => call.startsWith('end etcd shows epoch 5'))).toBe(true);
    expect(t.calls.at(-1)).toBe('follow b@b:1/5');
  });

  it('exclusive() ends the term, stops following, runs the task alone, then follows again', async () => {
    const t = setup();
    await t.roles.start(INCARNATION);
    t.members('a', 'b');
    t.events.next({ type: 'elected', leadership: t.leadership(4) });
    await flush();
    const from = t.calls.length;
    const result = await t.roles.exclusive('cutting the log', async () => {
      t.calls.push('task');
      return 42;
    });
    expect(result).toBe(42);
    expect(t.calls.slice(from)).toEqual([
      'end cutting the log',
      'follow none',
      'task',
      'follow none', // etcd names no other leader yet
    ]);
    t.cluster(5, 'b', ['a', 'b']);
    await flush();
    expect(t.calls.at(-1)).toBe('follow b@b:1/5');
  });

  it('exclusive() passes on a failing task and the queue goes on', async () => {
    const t = setup();
    await t.roles.start(INCARNATION);
    await expect(
      t.roles.exclusive('x', async () => {
        throw new Error('disk gone');
      }),
    ).rejects.toThrow('disk gone');
    t.members('a', 'b');
    t.cluster(2, 'b', ['a', 'b']);
    await flush();
    expect(t.calls.at(-1)).toBe('follow b@b:1/2');
  });

  it('stop() resigns, ends the term and stops following', async () => {
    const t = setup();
    await t.roles.start(INCARNATION);
    t.events.next({ type: 'elected', leadership: t.leadership(4) });
    await flush();
    await t.roles.stop();
    expect(t.election.stop).toHaveBeenCalled();
    expect(t.calls.at(-1)).toBe('end the replica is shutting down');
  });
});
