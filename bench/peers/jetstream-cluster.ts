/**
 * The peer the benchmark measures Distilled against: three `nats-server` processes clustered on
 * loopback with JetStream on file storage, and one stream with 3 replicas (the closest thing to
 * our 3 replicas with MIN_INSYNC=2). Debian's nats-server package is installed with apt-get
 * when it is missing and we are root (as the CLI does for etcd). Every server is stopped by its
 * PID on every way out: stop(), a thrown error during start, process exit, SIGINT and SIGTERM.
 */
import { once } from 'node:events';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort, canConnect } from '@distilled/launcher';
import type { NatsConnection } from '@nats-io/nats-core';
import { connect } from '@nats-io/transport-node';
import {
  jetstreamManager,
  RetentionPolicy,
  StorageType,
  type JetStreamManager,
} from '@nats-io/jetstream';

export const STREAM = 'bench';
export const SUBJECT = 'bench.data';

export interface NatsServer {
  name: string;
  child: ChildProcess;
  pid: number;
  clientPort: number;
  monitorPort: number;
  url: string;
}

/** PIDs of every nats-server this process started and has not seen exit. */
const live = new Map<number, ChildProcess>();
let hooked = false;

function killLive(): void {
  for (const pid of live.keys()) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  live.clear();
}

function hookExit(): void {
  if (hooked) return;
  hooked = true;
  // 'exit' handlers run synchronously; process.kill is synchronous.
  process.on('exit', killLive);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      killLive();
      process.kill(process.pid, signal);
    });
  }
}

/** The nats-server binary, installed from Debian when missing and we may. */
export function ensureNatsServer(log: (line: string) => void): string {
  const found = spawnSync('sh', ['-c', 'command -v nats-server'], { encoding: 'utf8' });
  if (found.status === 0 && found.stdout.trim()) return found.stdout.trim();
  const root = process.getuid?.() === 0;
  const hasApt = spawnSync('sh', ['-c', 'command -v apt-get']).status === 0;
  if (!root || !hasApt) {
    throw new Error(
      'nats-server is not installed (the JetStream peer rows need it): install Debian\'s "nats-server" package, or run with --no-peers',
    );
  }
  log("nats-server is missing; installing Debian's nats-server (apt-get) ...");
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  spawnSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
  const installed = spawnSync('apt-get', ['install', '-y', '-qq', 'nats-server'], {
    stdio: 'inherit',
    env,
  });
  if (installed.status !== 0) throw new Error('apt-get install nats-server failed');
  return ensureNatsServer(log);
}

export class JetStreamCluster {
  private stopped = false;

  private constructor(
    readonly servers: NatsServer[],
    readonly dataRoot: string,
    private readonly binary: string,
  ) {}

  static async start(log: (line: string) => void): Promise<JetStreamCluster> {
    const binary = ensureNatsServer(log);
    hookExit();
    const dataRoot = mkdtempSync(join(tmpdir(), 'distilled-bench-nats-'));
    const ports = await Promise.all(
      Array.from({ length: 3 }, async () => ({
        client: await freePort(),
        route: await freePort(),
        monitor: await freePort(),
      })),
    );
    const cluster = new JetStreamCluster([], dataRoot, binary);
    try {
      for (let i = 0; i < ports.length; i++) cluster.servers.push(cluster.spawnServer(i, ports));
      await Promise.all(cluster.servers.map((server) => cluster.waitListening(server)));
      await cluster.createStream();
      return cluster;
    } catch (error) {
      await cluster.stop();
      throw error;
    }
  }

  /** Client URLs of the running servers. */
  get urls(): string[] {
    return this.servers.filter((s) => live.has(s.pid)).map((s) => s.url);
  }

  private spawnServer(
    index: number,
    ports: { client: number; route: number; monitor: number }[],
  ): NatsServer {
    const name = `n${index + 1}`;
    const own = ports[index];
    const routes = ports
      .filter((_, i) => i !== index)
      .map((p) => `nats-route://127.0.0.1:${p.route}`)
      .join(',');
    const child = spawn(
      this.binary,
      [
        '-a',
        '127.0.0.1',
        '-p',
        String(own.client),
        '-m',
        String(own.monitor),
        '-n',
        name,
        '-js',
        '-sd',
        join(this.dataRoot, name),
        '--cluster_name',
        'distilled-bench',
        '--cluster',
        `nats://127.0.0.1:${own.route}`,
        '--routes',
        routes,
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    if (!child.pid) throw new Error(`could not start nats-server ${name}`);
    const pid = child.pid;
    live.set(pid, child);
    child.once('exit', () => live.delete(pid));
    // nats-server logs to stderr; keep the pipe drained, keep only the last lines for errors.
    const tail: string[] = [];
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
      tail.push(chunk);
      if (tail.length > 20) tail.shift();
    });
    return {
      name,
      child,
      pid,
      clientPort: own.client,
      monitorPort: own.monitor,
      url: `nats://127.0.0.1:${own.client}`,
    };
  }

  private async waitListening(server: NatsServer, timeoutMs = 15_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (!live.has(server.pid)) throw new Error(`nats-server ${server.name} exited at start`);
      if (await canConnect('127.0.0.1', server.clientPort)) return;
      await sleep(100);
    }
    throw new Error(`nats-server ${server.name} did not listen within ${timeoutMs} ms`);
  }

  /** A connection to the cluster (any server; the client fails over between them). */
  connect(options: { noRandomize?: boolean } = {}): Promise<NatsConnection> {
    return connect({
      servers: this.urls,
      noRandomize: options.noRandomize,
      maxReconnectAttempts: -1,
      reconnectTimeWait: 50,
      timeout: 5_000,
    });
  }

  /** Creates the R3 file stream (retried: the meta group elects its leader first). */
  private async createStream(timeoutMs = 30_000): Promise<void> {
    const nc = await this.connect();
    try {
      const deadline = Date.now() + timeoutMs;
      let jsm: JetStreamManager;
      for (;;) {
        try {
          // Answers only once the meta group has a leader (a few seconds after start).
          jsm = await jetstreamManager(nc, { timeout: 2_000 });
          await jsm.streams.add({
            name: STREAM,
            subjects: [`${STREAM}.>`],
            storage: StorageType.File,
            retention: RetentionPolicy.Limits,
            num_replicas: 3,
            allow_direct: true,
          });
          break;
        } catch (error) {
          if (Date.now() > deadline) throw error;
          await sleep(250);
        }
      }
      await this.waitStreamLeader(jsm, deadline);
    } finally {
      await nc.close();
    }
  }

  private async waitStreamLeader(jsm: JetStreamManager, deadline: number): Promise<void> {
    for (;;) {
      try {
        const info = await jsm.streams.info(STREAM);
        const current = (info.cluster?.replicas ?? []).filter((r) => r.current).length;
        if (info.cluster?.leader && current === 2) return;
      } catch {
        // not answered yet
      }
      if (Date.now() > deadline)
        throw new Error('JetStream stream has no leader with 2 current replicas');
      await sleep(200);
    }
  }

  /** Waits until the stream has a leader and both followers are current again. */
  async waitHealthy(nc: NatsConnection, timeoutMs: number): Promise<void> {
    await this.waitStreamLeader(await jetstreamManager(nc), Date.now() + timeoutMs);
  }

  /** The stream leader's server, as the cluster reports it now. */
  async leader(nc: NatsConnection): Promise<NatsServer | undefined> {
    const jsm = await jetstreamManager(nc);
    const info = await jsm.streams.info(STREAM);
    return this.servers.find((server) => server.name === info.cluster?.leader);
  }

  /** Purges the stream between measurements, so every row starts from an empty one. */
  async purge(nc: NatsConnection): Promise<void> {
    const jsm = await jetstreamManager(nc);
    await jsm.streams.purge(STREAM);
  }

  /** Signals one server: SIGKILL kills it, SIGTERM shuts it down cleanly. */
  kill(server: NatsServer, signal: 'SIGKILL' | 'SIGTERM' = 'SIGKILL'): void {
    try {
      process.kill(server.pid, signal);
    } catch {
      // already gone
    }
  }

  /**
   * Starts a killed or stopped server again on its ports and data (it rejoins the cluster),
   * once it has exited: one shutting down after SIGTERM gets 10 s, then SIGKILL.
   */
  async restart(server: NatsServer): Promise<void> {
    const child = live.get(server.pid);
    if (child) {
      // Registered in the same turn as the check: the exit cannot slip in between.
      const exited = once(child, 'exit');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    }
    const index = this.servers.indexOf(server);
    const ports = this.servers.map((s) => ({
      client: s.clientPort,
      route: this.routePort(s),
      monitor: s.monitorPort,
    }));
    const fresh = this.spawnServer(index, ports);
    this.servers[index] = fresh;
    await this.waitListening(fresh);
  }

  private routePort(server: NatsServer): number {
    const args = server.child.spawnargs;
    const url = args[args.indexOf('--cluster') + 1];
    return Number(url.slice(url.lastIndexOf(':') + 1));
  }

  /** PIDs by label, for the closed loop's CPU columns ("L" is the stream leader). */
  async pids(nc: NatsConnection): Promise<Record<string, number>> {
    const leader = await this.leader(nc).catch(() => undefined);
    const pids: Record<string, number> = {};
    let follower = 0;
    for (const server of this.servers) {
      pids[server === leader ? 'L' : `F${++follower}`] = server.pid;
    }
    return pids;
  }

  /** SIGTERM, then SIGKILL after 5 s, every server by PID; removes the data. Idempotent. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    const exits = this.servers
      .filter((server) => live.has(server.pid))
      .map(
        (server) =>
          new Promise<void>((resolve) => {
            const timer = setTimeout(() => {
              try {
                process.kill(server.pid, 'SIGKILL');
              } catch {
                // gone meanwhile
              }
            }, 5_000);
            server.child.once('exit', () => {
              clearTimeout(timer);
              resolve();
            });
            if (!live.has(server.pid)) {
              clearTimeout(timer);
              resolve();
              return;
            }
            try {
              process.kill(server.pid, 'SIGTERM');
            } catch {
              clearTimeout(timer);
              resolve();
            }
          }),
      );
    await Promise.all(exits);
    rmSync(this.dataRoot, { recursive: true, force: true });
  }
}
