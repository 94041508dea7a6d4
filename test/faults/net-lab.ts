/**
 * Network partitions for the fault suites: every replica runs in its own network namespace.
 *
 * Why namespaces and not a TCP proxy per link: replicas find each other through etcd
 * membership (DISTILLED_ADVERTISE), so every peer and the API dial a replica at one and the
 * same address. A proxy on that address cannot tell which peer a connection comes from: it can
 * cut "everything into replica X", but not "X from its peers and etcd while the API still
 * reaches it", nor X's own outgoing fetch stream to the leader (that goes through the leader's
 * proxy, shared with everyone). With a namespace per replica each replica has its own IP on a
 * bridge, and a blackhole route drops exactly the links we choose:
 * - silently, like a real partition: no RST or FIN, so only timeouts can notice it;
 * - on established connections too (a route change invalidates the sockets' cached routes);
 * - with nothing but iproute2 and root, which CI has; no iptables rules to leak.
 *
 * Layout: a bridge `dfb<pid>` in the root namespace holding 10.A.B.1/24, the address the API
 * and the test itself (both in the root namespace) reach the replicas from, and 10.A.B.2 as a
 * secondary address where etcd listens, so a replica can be cut off from etcd alone;
 * replica slot i lives in namespace `distilled-faults-<pid>-<i>` at 10.A.B.(10+i), with a veth
 * pair to the bridge. `cut(slot, targets)` adds blackhole routes inside the slot's namespace
 * (its packets to the targets vanish, which stalls TCP both ways) and, for peer slots, the
 * mirror routes in theirs; `heal()` removes every route it added.
 *
 * Everything is named after this process's PID, so a run that died without cleaning up is
 * found and removed by the next one (`removeStale`).
 */
import { execFileSync, spawnSync } from 'node:child_process';

const NETNS_PREFIX = 'distilled-faults-';
const run = (args: string[]): string =>
  execFileSync('ip', args, {
    encoding: 'utf8',
    timeout: 10_000,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
const tryRun = (args: string[]): boolean =>
  spawnSync('ip', args, { stdio: 'ignore', timeout: 10_000 }).status === 0;

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export class NetLab {
  private readonly routes = new Set<string>(); // "<netns> <ip>"
  private destroyed = false;
  private readonly onExit = () => this.destroy();

  private constructor(
    readonly slots: number,
    private readonly subnet: string, // "10.A.B"
    private readonly tag: string,
  ) {}

  /** Why partitions cannot run here (not root, no `ip netns`), or undefined when they can. */
  static unavailableReason(): string | undefined {
    if (process.getuid?.() !== 0) return 'network namespaces need root';
    if (!tryRun(['netns', 'list'])) return '`ip netns` does not work (install iproute2)';
    return undefined;
  }

  /** Creates the bridge and `slots` namespaces (slot numbers 1..slots). */
  static create(slots: number): NetLab {
    const reason = NetLab.unavailableReason();
    if (reason) throw new Error(`NetLab: ${reason}`);
    NetLab.removeStale();
    const lab = new NetLab(slots, NetLab.freeSubnet(), String(process.pid));
    process.once('exit', lab.onExit);
    try {
      lab.build();
    } catch (error) {
      lab.destroy();
      throw error;
    }
    return lab;
  }

  /** The bridge's primary address: the API and the test reach the replicas from it. */
  get hubIp(): string {
    return `${this.subnet}.1`;
  }

  /** A second address on the bridge, for etcd alone, so that cut(slot, ['etcd']) is exact. */
  get etcdIp(): string {
    return `${this.subnet}.2`;
  }

  ip(slot: number): string {
    return `${this.subnet}.${10 + slot}`;
  }

  netns(slot: number): string {
    return `${NETNS_PREFIX}${this.tag}-${slot}`;
  }

  /** The command prefix that runs a process in the slot's namespace (it execs in place). */
  wrapper(slot: number): string[] {
    return ['ip', 'netns', 'exec', this.netns(slot)];
  }

  /** Drops traffic between `slot` and each of `targets` (slot numbers, or 'etcd'). */
  cut(slot: number, targets: Array<number | 'etcd'>): void {
    for (const target of targets) {
      if (target === 'etcd') {
        this.addBlackhole(slot, this.etcdIp);
      } else if (target !== slot) {
        this.addBlackhole(slot, this.ip(target));
        this.addBlackhole(target, this.ip(slot));
      }
    }
  }

  /** Removes every blackhole route this lab added. */
  heal(): void {
    for (const route of [...this.routes]) {
      const [netns, ip] = route.split(' ');
      tryRun(['-n', netns, 'route', 'del', 'blackhole', `${ip}/32`]);
      this.routes.delete(route);
    }
  }

  /** True while some cut is in place. */
  get partitioned(): boolean {
    return this.routes.size > 0;
  }

  /**
   * Deletes the namespaces (which deletes their veth pairs) and the bridge. Synchronous, so
   * the process-exit hook can call it; stop the processes inside first.
   */
  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    process.removeListener('exit', this.onExit);
    for (let slot = 1; slot <= this.slots; slot++) tryRun(['netns', 'del', this.netns(slot)]);
    tryRun(['link', 'del', `dfb${this.tag}`]);
  }

  /** Removes namespaces and links that runs which no longer exist left behind. */
  static removeStale(): void {
    const namespaces = spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' }).stdout ?? '';
    for (const line of namespaces.split('\n')) {
      const match = new RegExp(`^(${NETNS_PREFIX}(\\d+)-\\d+)`).exec(line);
      if (match && !alive(Number(match[2]))) tryRun(['netns', 'del', match[1]]);
    }
    const links = spawnSync('ip', ['-o', 'link', 'show'], { encoding: 'utf8' }).stdout ?? '';
    for (const line of links.split('\n')) {
      const match = /^\d+: (df[bh](\d+)(?:s\d+)?)[@:]/.exec(line);
      if (match && !alive(Number(match[2]))) tryRun(['link', 'del', match[1]]);
    }
  }

  private static freeSubnet(): string {
    const routes = spawnSync('ip', ['-4', 'route', 'show', 'table', 'all'], {
      encoding: 'utf8',
    }).stdout;
    for (let attempt = 0; attempt < 200; attempt++) {
      const a = 100 + ((process.pid + attempt * 7) % 150);
      const b = (Math.floor(process.pid / 150) + attempt * 13) % 256;
      const subnet = `10.${a}.${b}`;
      if (!routes?.includes(`${subnet}.`)) return subnet;
    }
    throw new Error('NetLab: no free 10.x.y.0/24 subnet');
  }

  private build(): void {
    const bridge = `dfb${this.tag}`;
    run(['link', 'add', bridge, 'type', 'bridge']);
    run(['addr', 'add', `${this.hubIp}/24`, 'dev', bridge]);
    // Same subnet, so secondary: connections from this namespace keep 10.A.B.1 as source.
    run(['addr', 'add', `${this.etcdIp}/24`, 'dev', bridge]);
    run(['link', 'set', bridge, 'up']);
    for (let slot = 1; slot <= this.slots; slot++) {
      const netns = this.netns(slot);
      const host = `dfh${this.tag}s${slot}`;
      const inner = `dfn${this.tag}s${slot}`;
      run(['netns', 'add', netns]);
      run(['link', 'add', host, 'type', 'veth', 'peer', 'name', inner]);
      run(['link', 'set', host, 'master', bridge, 'up']);
      run(['link', 'set', inner, 'netns', netns]);
      run(['-n', netns, 'addr', 'add', `${this.ip(slot)}/24`, 'dev', inner]);
      run(['-n', netns, 'link', 'set', inner, 'up']);
      run(['-n', netns, 'link', 'set', 'lo', 'up']);
    }
  }

  private addBlackhole(slot: number, ip: string): void {
    const netns = this.netns(slot);
    const key = `${netns} ${ip}`;
    if (this.routes.has(key)) return;
    run(['-n', netns, 'route', 'add', 'blackhole', `${ip}/32`]);
    this.routes.add(key);
  }
}
