import { setTimeout as sleep } from 'node:timers/promises';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './free-port';
import { dieWithParent } from './parent-death';
import { registerChild } from './process-registry';

export interface EtcdProcessOptions {
  /** Data directory; a fresh temporary one when omitted (removed by stop()). */
  dataDir?: string;
  clientPort?: number;
  peerPort?: number;
  /** The address etcd listens on and advertises (default 127.0.0.1). */
  host?: string;
  /** Where etcd's own output goes; dropped when omitted. */
  onOutput?: (line: string) => void;
}

/**
 * A single-member etcd (Debian's etcd-server, etcd 3.4) on 127.0.0.1 (or `host`), for tests,
 * benchmarks and the local launcher. Real etcd, never a mock.
 */
export class EtcdProcess {
  private child?: ChildProcess;
  private ownsDataDir = false;
  readonly dataDir: string;
  clientPort = 0;
  peerPort = 0;

  constructor(private readonly options: EtcdProcessOptions = {}) {
    this.dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'distilled-etcd-'));
    this.ownsDataDir = !options.dataDir;
  }

  get endpoint(): string {
    return `http://${this.host}:${this.clientPort}`;
  }

  get host(): string {
    return this.options.host ?? '127.0.0.1';
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** True from start() until etcd exits. */
  get running(): boolean {
    return !!this.child && this.child.exitCode === null && this.child.signalCode === null;
  }

  static isInstalled(): boolean {
    return spawnSync('etcd', ['--version'], { stdio: 'ignore' }).status === 0;
  }

  async start(): Promise<void> {
    if (!EtcdProcess.isInstalled()) {
      throw new Error(
        'etcd is not installed: install Debian\'s etcd-server ("apt-get install etcd-server") or put etcd on PATH',
      );
    }
    this.clientPort ||= this.options.clientPort ?? (await freePort());
    this.peerPort ||= this.options.peerPort ?? (await freePort());
    const client = `http://${this.host}:${this.clientPort}`;
    const peer = `http://${this.host}:${this.peerPort}`;
    const [command, ...args] = dieWithParent([
      'etcd',
      '--name=distilled-etcd',
      `--data-dir=${this.dataDir}`,
      `--listen-client-urls=${client}`,
      `--advertise-client-urls=${client}`,
      `--listen-peer-urls=${peer}`,
      `--initial-advertise-peer-urls=${peer}`,
      `--initial-cluster=distilled-etcd=${peer}`,
      '--initial-cluster-state=new',
      // etcd 3.4's shortest lease is ceil(1.5 x election timeout) seconds: 2 s at the default
      // 1000 ms, 1 s here, which lets the replicas' 1 s election lease stand (faster failover).
      // One member, so the raft election timeout itself never comes into play.
      '--heartbeat-interval=100',
      '--election-timeout=500',
      // zap: with etcd 3.4's default logger (capnslog) --log-level is ignored.
      '--logger=zap',
      '--log-level=warn',
    ]);
    // detached: its own process group, so a terminal's Ctrl-C reaches only the launcher.
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    // Killed with its parent (dieWithParent), or by the process-exit hook where that is missing.
    registerChild(child);
    this.child = child;
    const forward = (chunk: Buffer) => {
      if (!this.options.onOutput) return;
      for (const line of chunk.toString().split('\n')) if (line) this.options.onOutput(line);
    };
    child.stdout?.on('data', forward);
    child.stderr?.on('data', forward);
    await this.waitHealthy(15_000);
  }

  private async waitHealthy(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (this.child?.exitCode !== null && this.child?.exitCode !== undefined) {
        throw new Error(`etcd exited with code ${this.child.exitCode} before it became healthy`);
      }
      try {
        const res = await fetch(`${this.endpoint}/health`);
        if (res.ok) return;
      } catch {
        // not listening yet
      }
      await sleep(100);
    }
    throw new Error(`etcd did not become healthy on ${this.endpoint} within ${timeoutMs} ms`);
  }

  /** Stops etcd (SIGTERM, then SIGKILL after 5 s). Keeps the data dir unless `removeData`. */
  async stop(removeData = this.ownsDataDir): Promise<void> {
    const child = this.child;
    this.child = undefined;
    if (child && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise<void>((r) => child.once('exit', () => r()));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    }
    if (removeData) rmSync(this.dataDir, { recursive: true, force: true });
  }

  /** Sends a signal to the etcd process (SIGKILL, SIGSTOP, SIGCONT) for fault tests. */
  signal(signal: NodeJS.Signals): void {
    this.child?.kill(signal);
  }
}
