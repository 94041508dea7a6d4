import { BehaviorSubject } from 'rxjs';
import type {
  ClusterStateStore,
  Election,
  MemberInfo,
  Membership,
  VersionedClusterState,
} from '@distilled/cluster';
import type { ServerConfig } from '../config';
import { ElectionHolds } from '../election/election-holds';
import type { LeaderService } from '../replication/leader.service';
import { ReplicaState } from '../replication/replica-state';
import { FakeLogStore } from '../testing/fake-log-store';
import { DiskFullWatch } from './disk-full-watch.service';

async function until(what: string, check: () => boolean, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

function setup(options: { leading?: { isr: string[] }; others?: MemberInfo[] } = {}) {
  const log = new FakeLogStore();
  const state = new ReplicaState();
  const self: MemberInfo = { id: 'a', address: 'a:1' };
  const members$ = new BehaviorSubject<ReadonlyMap<string, MemberInfo>>(
    new Map([self, ...(options.others ?? [])].map((m) => [m.id, m])),
  );
  const updates: MemberInfo[] = [];
  const membership: Membership = {
    register: async () => undefined,
    deregister: async () => undefined,
    update: async (member) => {
      updates.push(member);
      members$.next(new Map([...members$.value, [member.id, member]]));
    },
    members$,
    current: () => members$.value,
  };
  const eligibility: [boolean, string][] = [];
  const election = {
    setEligible: jest.fn(async (eligible: boolean, reason: string) => {
      eligibility.push([eligible, reason]);
    }),
  } as unknown as Election;
  const state$ = new BehaviorSubject<VersionedClusterState | null>(null);
  const stateStore: ClusterStateStore = {
    read: async () => state$.value,
    state$,
    current: () => state$.value,
  };
  const drain = jest.fn(async () => undefined);
  const leader = {
    currentTerm: options.leading ? { isr: options.leading.isr, drain } : undefined,
  } as unknown as LeaderService;
  const config = { nodeId: 'a', advertise: 'a:1', dataDir: '/data/a' } as ServerConfig;
  const watch = new DiskFullWatch(
    log,
    membership,
    new ElectionHolds(election as unknown as Election),
    stateStore,
    config,
    state,
    leader,
  );
  watch.start();
  return { watch, log, state, members$, updates, eligibility, drain };
}

describe('DiskFullWatch', () => {
  let stop: (() => void) | undefined;
  afterEach(() => stop?.());

  it('a follower marks itself, stops standing, and recovers once a probe gets through', async () => {
    const t = setup();
    stop = () => t.watch.stop();
    t.log.spaceFree = false;
    t.state.disk.refused('the disk holding /data/a is full (ENOSPC)');
    await until('held out', () => t.eligibility.length === 1);
    expect(t.eligibility[0]).toEqual([false, 'its disk is full']);
    expect(t.updates.at(-1)).toEqual({ id: 'a', address: 'a:1', diskFull: true });
    await new Promise((resolve) => setTimeout(resolve, 300)); // a probe ran and failed
    expect(t.state.disk.full).toBe(true);
    t.log.spaceFree = true;
    await until('recovered', () => !t.state.disk.full, 5000);
    expect(t.state.disk.lastEpisode.endedBy).toMatch(/space probe got through/);
    await until('stands again', () => t.eligibility.length === 2);
    expect(t.eligibility[1]).toEqual([true, 'its disk has room again']);
    expect(t.updates.at(-1)).toEqual({ id: 'a', address: 'a:1' });
  });

  it('a write that gets through ends the episode without waiting for a probe', async () => {
    const t = setup();
    stop = () => t.watch.stop();
    t.log.spaceFree = false;
    t.state.disk.refused('full');
    await until('held out', () => t.eligibility.length === 1);
    t.state.disk.wrote();
    await until('stands again', () => t.eligibility.length === 2);
    expect(t.eligibility[1][0]).toBe(true);
  });

  it('a full leader drains its term and hands over to an in-sync replica with room', async () => {
    const t = setup({
      leading: { isr: ['a', 'b', 'c'] },
      others: [
        { id: 'b', address: 'b:1', diskFull: true },
        { id: 'c', address: 'c:1' },
      ],
    });
    stop = () => t.watch.stop();
    t.log.spaceFree = false;
    t.state.disk.refused('full');
    await until('handed over', () => t.eligibility.length === 1);
    expect(t.drain).toHaveBeenCalled();
    expect(t.eligibility[0][0]).toBe(false);
    expect(t.eligibility[0][1]).toMatch(/handing over to an in-sync replica with room \(c\)/);
  });

  it('a full leader with nobody to hand over to keeps leading until one has room', async () => {
    const t = setup({
      leading: { isr: ['a', 'b'] },
      others: [{ id: 'b', address: 'b:1', diskFull: true }],
    });
    stop = () => t.watch.stop();
    t.log.spaceFree = false;
    t.state.disk.refused('full');
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(t.eligibility).toEqual([]);
    // b gets room again: its mark goes, and now there is someone to hand over to.
    t.members$.next(new Map([...t.members$.value, ['b', { id: 'b', address: 'b:1' }]]));
    await until('handed over', () => t.eligibility.length === 1);
    expect(t.eligibility[0][1]).toMatch(/\(b\)/);
  });
});
