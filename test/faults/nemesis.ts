import { setTimeout as sleep } from 'node:timers/promises';
import {
  closeSync,
  openSync,
  readdirSync,
  rmSync,
  statSync,
  truncateSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import type { ReplicaProcess } from '@distilled/launcher';
import type { FaultCluster } from './fault-cluster';
import { FAULT_KINDS, type FaultKind, type History } from './history';
import { describeError } from '@distilled/common';
import { FaultTransport } from './transport';

export interface NemesisOptions {
  /**
   * Faults to draw from (all kinds by default; partition only where namespaces exist, disk-full
   * only where the replicas' data directories are on tmpfs mounts).
   */
  kinds?: FaultKind[];
  /** How many replicas add-replica may add in total. */
  maxAddedReplicas?: number;
  /** How long the cluster may take to be whole again after a fault is healed. */
  recoveryTimeoutMs?: number;
  /**
   * Do not wait for the cluster to be whole between faults (only before corrupt-tail and
   * add-replica, and after every 5 faults): the next fault may hit a replica still catching
   * up or an ISR still shrunk. Still one fault at a time, so still inside the fault model.
   */
  overlap?: boolean;
}

/** Faults that need every other replica to hold the data (or a whole cluster) first. */
const NEEDS_WHOLE_CLUSTER: ReadonlySet<FaultKind> = new Set([
  'corrupt-tail',
  'wipe-replica',
  'add-replica',
]);

/** A moment the leader was lost (killed, or cut off), for the failover times. */
export interface LeaderLoss {
  kind: FaultKind;
  at: number;
  leader: string;
}

/**
 * Injects one fault at a time on a seeded random schedule: apply, hold for a random while,
 * heal, then wait until the cluster is whole again (a leader, every running replica in the
 * ISR) before the next. One at a time keeps every run inside the fault model the design
 * promises to survive: a crash with a durable disk, a pause, a partition, etcd down, or one
 * replica's disk losing its tail while every other replica holds the data. The kinds come in
 * shuffled rounds, so even a short run sees every kind.
 */
export class Nemesis {
  readonly counts = new Map<FaultKind, number>();
  readonly leaderLosses: LeaderLoss[] = [];
  /** Set when the cluster did not recover from a fault in time (a liveness failure). */
  stuck?: string;
  private stopped = false;
  private queue: FaultKind[] = [];
  private added = 0;
  private readonly kinds: FaultKind[];

  constructor(
    private readonly cluster: FaultCluster,
    private readonly history: History,
    private readonly random: () => number,
    private readonly options: NemesisOptions = {},
  ) {
    this.kinds = (options.kinds ?? FAULT_KINDS).filter(
      (k) => (k !== 'partition' || !!cluster.net) && (k !== 'disk-full' || cluster.disks.size > 0),
    );
  }

  /** No new fault after the one in progress (the run was abandoned). */
  stop(): void {
    this.stopped = true;
  }

  /** Runs faults until `deadline` (ms since epoch) or until the cluster fails to recover. */
  async run(deadline: number): Promise<void> {
    let sinceWhole = 0;
    let kind = this.nextKind();
    while (Date.now() < deadline && !this.stuck && !this.stopped) {
      try {
        await this.apply(kind);
      } catch (error) {
        // The whole message: a replica that cannot start says why in its last output lines.
        this.history.event('note', `${kind} failed: ${describeError(error)}`);
        await this.healAll();
      }
      const previous = kind;
      kind = this.nextKind();
      // After a damaged tail or a wiped directory, that replica must have caught up before
      // anything else happens: until then the others are the only holders of what it lost.
      const barrier =
        previous === 'corrupt-tail' || previous === 'wipe-replica' || NEEDS_WHOLE_CLUSTER.has(kind);
      if (!this.options.overlap || barrier || ++sinceWhole >= 5) {
        if (!(await this.recover(this.options.recoveryTimeoutMs ?? 30_000))) return;
        sinceWhole = 0;
      }
      await sleep(this.options.overlap ? this.between(0, 500) : this.between(500, 1500));
    }
  }

  /** Undoes everything: heals the network, resumes and restarts every process. */
  async healAll(): Promise<void> {
    const { local, net } = this.cluster;
    if (net?.partitioned) {
      net.heal();
      this.history.event('heal', 'network healed');
    }
    if (local.etcd && !local.etcd.running) {
      await local.etcd.start();
      this.history.event('heal', 'etcd started');
    }
    for (const [id, disk] of this.cluster.disks) {
      if (disk.filled) {
        disk.empty();
        this.history.event('heal', `freed the disk of ${id}`);
      }
    }
    for (const replica of local.replicas) {
      if (replica.isPaused) {
        replica.resume();
        this.history.event('heal', `SIGCONT ${replica.id}`);
      } else if (!replica.running) {
        await replica.start();
        this.history.event('heal', `started ${replica.id}`);
      }
    }
    if (local.api && !local.api.running) {
      await local.api.start();
      this.history.event('heal', 'API started');
    }
  }

  /** Waits until the API is ready and every running replica is in the leader's ISR. */
  async recover(timeoutMs: number): Promise<boolean> {
    const { local } = this.cluster;
    const started = Date.now();
    try {
      const ids = local.runningReplicas.map((r) => r.id);
      const leader = await local.waitForIsr(ids, timeoutMs, { exact: false });
      // In the ISR is not enough: a replica restarted on a damaged tail may still be listed
      // there. Whole = every running replica holds everything committed so far.
      const hw = Number(leader.high_watermark);
      await waitFor(
        async () => {
          const views = await Promise.all(
            ids.map((id) => local.status(id, 1_000).catch(() => undefined)),
          );
          return views.every((v) => v !== undefined && Number(v.log_end_offset) >= hw);
        },
        Math.max(1000, started + timeoutMs - Date.now()),
      );
      await waitApiReady(
        this.cluster.apiUrl,
        Math.max(1000, started + timeoutMs - Date.now()),
        this.cluster.transport,
      );
      this.history.event(
        'recovered',
        `ISR has ${ids.join(', ')}, all at or past offset ${hw}, after ${Date.now() - started} ms`,
      );
      return true;
    } catch (error) {
      this.stuck = describeError(error).split('\n')[0];
      this.history.event('no-recovery', `not whole ${timeoutMs} ms after healing: ${this.stuck}`);
      return false;
    }
  }

  private nextKind(): FaultKind {
    for (;;) {
      if (this.queue.length === 0) this.queue = this.shuffle([...this.kinds]);
      const kind = this.queue.shift()!;
      if (kind === 'add-replica' && !this.canAddReplica()) continue;
      return kind;
    }
  }

  private canAddReplica(): boolean {
    const max = this.options.maxAddedReplicas ?? 1;
    const slots = this.cluster.net?.slots ?? Infinity;
    return this.added < max && this.cluster.local.replicas.length < slots;
  }

  private async apply(kind: FaultKind): Promise<void> {
    this.counts.set(kind, (this.counts.get(kind) ?? 0) + 1);
    const { local } = this.cluster;
    switch (kind) {
      case 'kill-leader': {
        const leader = await local.waitForLeader(10_000);
        this.loseLeader(kind, leader, `SIGKILL leader ${leader.id} (pid ${leader.pid})`);
        await leader.kill('SIGKILL');
        await sleep(this.between(500, 3000));
        await leader.start();
        this.history.event('heal', `restarted ${leader.id} with its data`);
        return;
      }
      case 'kill-follower': {
        const follower = await this.pickFollower();
        this.history.event(kind, `SIGKILL follower ${follower.id} (pid ${follower.pid})`);
        await follower.kill('SIGKILL');
        await sleep(this.between(500, 3000));
        await follower.start();
        this.history.event('heal', `restarted ${follower.id} with its data`);
        return;
      }
      case 'pause-follower': {
        const follower = await this.pickFollower();
        this.history.event(kind, `SIGSTOP follower ${follower.id} (pid ${follower.pid})`);
        follower.pause();
        await sleep(this.between(1000, 5000));
        follower.resume();
        this.history.event('heal', `SIGCONT ${follower.id}`);
        return;
      }
      case 'pause-leader': {
        // A leader frozen past its lease (a long GC pause) wakes up believing it leads.
        const leader = await local.waitForLeader(10_000);
        this.loseLeader(kind, leader, `SIGSTOP leader ${leader.id} (pid ${leader.pid})`);
        leader.pause();
        await sleep(this.between(1000, 5000));
        leader.resume();
        this.history.event('heal', `SIGCONT ${leader.id}`);
        return;
      }
      case 'restart-api': {
        const api = local.api!;
        this.history.event(kind, `SIGKILL API (pid ${api.pid})`);
        await api.kill('SIGKILL');
        await sleep(this.between(300, 2000));
        await api.start();
        this.history.event('heal', `API started (pid ${api.pid})`);
        return;
      }
      case 'add-replica': {
        this.added++;
        const replica = await local.addReplica({ start: false });
        this.history.event(kind, `adding empty ${replica.id}`);
        await replica.start();
        this.history.event('heal', `${replica.id} started (pid ${replica.pid})`);
        return;
      }
      case 'restart-etcd': {
        const etcd = local.etcd!;
        const hard = this.random() < 0.5;
        this.history.event(kind, `${hard ? 'SIGKILL' : 'SIGTERM'} etcd (pid ${etcd.pid})`);
        if (hard) {
          etcd.signal('SIGKILL');
          await waitFor(() => !etcd.running, 5_000);
        } else {
          await etcd.stop(false);
        }
        await sleep(this.between(1000, 4000));
        await etcd.start();
        this.history.event('heal', `etcd started (pid ${etcd.pid})`);
        return;
      }
      case 'partition': {
        const net = this.cluster.net!;
        const leader = await local.waitForLeader(10_000);
        const running = local.runningReplicas;
        const target =
          this.random() < 0.6 ? leader : running[Math.floor(this.random() * running.length)];
        const peers = running.filter((r) => r !== target).map((r) => slotOf(r));
        const detail = `cut ${target.id}${target === leader ? ' (leader)' : ''} off from ${running
          .filter((r) => r !== target)
          .map((r) => r.id)
          .join(', ')} and etcd`;
        if (target === leader) this.loseLeader(kind, target, detail);
        else this.history.event(kind, detail);
        net.cut(slotOf(target), [...peers, 'etcd']);
        await sleep(this.between(2000, 5000));
        net.heal();
        this.history.event('heal', 'network healed');
        return;
      }
      case 'disk-full': {
        // ENOSPC from the kernel: the replica's tmpfs filled to the last byte. A full leader
        // must hand over to an in-sync replica with room (or answer 507, never store and then
        // refuse); a full follower leaves the ISR; both come back by themselves once freed.
        const leader = await local.waitForLeader(10_000);
        const target = this.random() < 0.5 ? leader : await this.pickFollower();
        const disk = this.cluster.disks.get(target.id)!;
        const detail = `fill the disk of ${target.id}${target === leader ? ' (leader)' : ''}`;
        if (target === leader) this.loseLeader(kind, target, detail);
        else this.history.event(kind, detail);
        disk.fill();
        await sleep(this.between(2000, 8000));
        disk.empty();
        this.history.event('heal', `freed the disk of ${target.id}`);
        return;
      }
      case 'corrupt-tail':
        return this.restartOnBrokenDisk(
          kind,
          'damage its newest segment',
          'its damaged data',
          (r) => this.history.event('note', corruptTail(r.dataDir, this.random)),
        );
      case 'wipe-replica':
        // A replaced disk: same node id, empty data directory, while the ISR still lists it.
        // It must not lead before it has re-fetched (data-directory incarnations).
        return this.restartOnBrokenDisk(
          kind,
          'wipe its data directory',
          'an empty data directory',
          (r) => rmSync(r.dataDir, { recursive: true, force: true }),
        );
    }
  }

  /** SIGKILLs a random running replica (the leader too), breaks its disk, restarts it on that. */
  private async restartOnBrokenDisk(
    kind: FaultKind,
    what: string,
    restartedOn: string,
    breakDisk: (replica: ReplicaProcess) => void,
  ): Promise<void> {
    const { local } = this.cluster;
    const leader = await local.waitForLeader(10_000);
    const running = local.runningReplicas;
    const target = running[Math.floor(this.random() * running.length)];
    const detail = `SIGKILL ${target.id}${target === leader ? ' (leader)' : ''}, then ${what}`;
    if (target === leader) this.loseLeader(kind, target, detail);
    else this.history.event(kind, detail);
    await target.kill('SIGKILL');
    breakDisk(target);
    await sleep(this.between(200, 1000));
    await target.start();
    this.history.event('heal', `restarted ${target.id} on ${restartedOn}`);
  }

  private loseLeader(kind: FaultKind, leader: ReplicaProcess, detail: string): void {
    const event = this.history.event(kind, detail);
    this.leaderLosses.push({ kind, at: event.at, leader: leader.id });
  }

  private async pickFollower(): Promise<ReplicaProcess> {
    const leader = await this.cluster.local.waitForLeader(10_000);
    const followers = this.cluster.local.runningReplicas.filter((r) => r !== leader);
    return followers[Math.floor(this.random() * followers.length)];
  }

  private between(min: number, max: number): number {
    return Math.round(min + this.random() * (max - min));
  }

  private shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = Math.floor(this.random() * (i + 1));
      [items[i], items[j]] = [items[j], items[i]];
    }
    return items;
  }
}

function slotOf(replica: ReplicaProcess): number {
  return Number(/^replica-(\d+)$/.exec(replica.id)?.[1]);
}

/**
 * Damages the tail of the newest segment of a stopped replica, the way a crash on a disk
 * without a finished write does: cut it short, overwrite its last bytes, or append garbage.
 * Returns what it did.
 */
export function corruptTail(dataDir: string, random: () => number): string {
  const segments = readdirSync(dataDir)
    .filter((name) => /^\d{20}\.log$/.test(name))
    .sort();
  const newest = segments[segments.length - 1];
  if (!newest) return `no segment in ${dataDir} to damage`;
  const file = join(dataDir, newest);
  const size = statSync(file).size;
  const mode =
    size === 0
      ? 'garbage'
      : (['truncate', 'overwrite', 'garbage'] as const)[Math.floor(random() * 3)];
  const garbage = (n: number) =>
    Buffer.from(Array.from({ length: n }, () => Math.floor(random() * 256)));
  if (mode === 'truncate') {
    const cut = 1 + Math.floor(random() * Math.min(size, 4096));
    truncateSync(file, size - cut);
    return `truncated ${newest} from ${size} to ${size - cut} bytes`;
  }
  const fd = openSync(file, 'r+');
  try {
    if (mode === 'overwrite') {
      const n = 1 + Math.floor(random() * Math.min(size, 64));
      const at = size - n - Math.floor(random() * Math.min(size - n, 4096));
      writeSync(fd, garbage(n), 0, n, at);
      return `overwrote ${n} bytes of ${newest} at ${at} (of ${size})`;
    }
    const n = 1 + Math.floor(random() * 512);
    writeSync(fd, garbage(n), 0, n, size);
    return `appended ${n} garbage bytes to ${newest} (was ${size})`;
  } finally {
    closeSync(fd);
  }
}

async function waitFor(
  condition: () => boolean | Promise<boolean>,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await sleep(50);
  }
}

/** Polls GET /health/ready until 200. */
export async function waitApiReady(
  apiUrl: string,
  timeoutMs: number,
  transport = FaultTransport.plain,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer';
  while (Date.now() < deadline) {
    try {
      const res = await transport.fetch(`${apiUrl}/health/ready`, {
        signal: AbortSignal.timeout(2_000),
      });
      last = `${res.status} ${(await res.text()).slice(0, 200)}`;
      if (res.status === 200) return;
    } catch (error) {
      last = describeError(error);
    }
    await sleep(200);
  }
  throw new Error(`the API was not ready within ${timeoutMs} ms (last: ${last})`);
}
