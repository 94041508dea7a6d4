/**
 * Starts the cluster a benchmark measures: LocalCluster (etcd, N replicas, the API) from a
 * private copy of dist/apps, so a `nest build` elsewhere (which empties dist/) cannot pull the
 * scripts from under a running benchmark. With `profileDir`, the replicas and the API run under
 * lib/cpu-prof-wrapper.js (the V8 profiler, as `node --cpu-prof` would) and write a
 * .cpuprofile each when they stop gracefully.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import {
  LocalCluster,
  snapshotBuild,
  throwawayClusterTls,
  type BuildSnapshot,
  type ClusterTlsFiles,
} from '@distilled/launcher';
import { benchAuthHeaders, benchKeysFileText } from './bench-keys';
import type { Args, BenchFlag } from './args';
import type { PidMap } from './proc';

const RESET_FILE = '.reset';

export interface BenchClusterOptions {
  replicas: number;
  minInsync: number;
  fsync: 'always' | 'interval' | 'never';
  api: boolean;
  /** Directory holding server/main.js and api/main.js (default dist/apps). */
  distDir?: string;
  /** Write CPU profiles of the replicas and the API here. */
  profileDir?: string;
  /** Print every process's output, prefixed. */
  verbose?: boolean;
  /** Every line the processes print, as it arrives (hop-trace's `--gc` reads V8's GC trace). */
  onOutput?: (source: string, line: string) => void;
  /** Extra environment for replicas and API. */
  env?: Record<string, string>;
  /** HTTPS for the API and mutual TLS for gRPC, with a throwaway CA made by openssl. */
  tls?: boolean;
  /** Run the API with ten API keys (lib/bench-keys.ts); send `apiHeaders` with every call. */
  apiKeys?: boolean;
  /** Node flags of the replicas / the API instead of the launcher's (`--replica-node-args`). */
  replicaNodeArgs?: string[];
  apiNodeArgs?: string[];
}

/** `--replica-node-args '--a --b'` / `--api-node-args` ('' = none); the launcher's when absent. */
export function nodeArgsFlags(
  args: Args,
): Pick<BenchClusterOptions, 'replicaNodeArgs' | 'apiNodeArgs'> {
  return {
    replicaNodeArgs: nodeArgsFlag(args, 'replica-node-args'),
    apiNodeArgs: nodeArgsFlag(args, 'api-node-args'),
  };
}

/** A flag holding node arguments ("--a --b=1"), split into a list; undefined when not given. */
export function nodeArgsFlag(args: Args, flag: BenchFlag): string[] | undefined {
  return args.has(flag)
    ? args
        .string(flag, '')
        .split(/\s+/)
        .filter((arg) => arg !== '')
    : undefined;
}

/**
 * The cluster a bench of its own starts (3 replicas, min in-sync 2, fsync always, the API),
 * with the build and log output the command line names (`--dist`, `--verbose`).
 */
export function standardCluster(args: Args): BenchClusterOptions {
  return {
    replicas: 3,
    minInsync: 2,
    fsync: 'always',
    api: true,
    distDir: args.has('dist') ? args.string('dist', '') : undefined,
    verbose: args.has('verbose'),
    ...nodeArgsFlags(args),
  };
}

export class BenchCluster {
  private constructor(
    readonly cluster: LocalCluster,
    private readonly snapshot: BuildSnapshot,
    /** Headers every request to the API needs (the Bearer key with `apiKeys`), else {}. */
    readonly apiHeaders: Record<string, string>,
    private readonly keysDir: string | undefined,
    private readonly profileDir?: string,
    /** The cluster's TLS files (with `tls`): the clients trust `ca` and present `cert`. */
    readonly tls?: ClusterTlsFiles,
    private readonly tlsDir?: string,
  ) {}

  static async start(options: BenchClusterOptions): Promise<BenchCluster> {
    const snapshot = snapshotBuild({ distDir: options.distDir, label: 'bench' });

    const env: Record<string, string> = { ...options.env };
    let serverScript = snapshot.serverScript;
    let apiScript = snapshot.apiScript;
    const replicaEnv: Record<string, string> = {};
    const apiEnv: Record<string, string> = {};
    const keysDir = options.apiKeys
      ? mkdtempSync(join(tmpdir(), 'distilled-bench-keys-'))
      : undefined;
    if (keysDir) {
      apiEnv.DISTILLED_API_KEYS_FILE = join(keysDir, 'keys');
      writeFileSync(apiEnv.DISTILLED_API_KEYS_FILE, benchKeysFileText(), { mode: 0o600 });
    }
    if (options.profileDir) {
      // Node 20 refuses --cpu-prof in NODE_OPTIONS and LocalCluster does not pass node
      // arguments through, so both apps run under a wrapper that profiles in-process.
      mkdirSync(options.profileDir, { recursive: true });
      env.DISTILLED_BENCH_PROFILE_DIR = resolve(options.profileDir);
      env.DISTILLED_BENCH_PROFILE_RESET = join(resolve(options.profileDir), RESET_FILE);
      replicaEnv.DISTILLED_BENCH_SCRIPT = serverScript;
      apiEnv.DISTILLED_BENCH_SCRIPT = apiScript;
      serverScript = apiScript = join(__dirname, 'cpu-prof-wrapper.js');
    }
    const tlsDir = options.tls ? mkdtempSync(join(tmpdir(), 'distilled-bench-tls-')) : undefined;
    try {
      const tls = tlsDir ? await throwawayClusterTls(tlsDir) : undefined;
      const cluster = await LocalCluster.start({
        replicas: options.replicas,
        minInsync: options.minInsync,
        fsync: options.fsync,
        api: options.api,
        tls,
        serverScript,
        apiScript,
        env,
        replicaEnv,
        apiEnv,
        replicaNodeArgs: options.replicaNodeArgs,
        apiNodeArgs: options.apiNodeArgs,
        onOutput: (source, line) => {
          if (options.verbose) process.stderr.write(`[${source}] ${line}\n`);
          options.onOutput?.(source, line);
        },
        onExit: (child, info) => {
          if (!info.expected) {
            process.stderr.write(
              `!! ${child.name} exited unexpectedly (code ${info.code}, signal ${info.signal}); last output:\n` +
                child.output.snapshot().slice(-20).join('\n') +
                '\n',
            );
          }
        },
      });
      const bench = new BenchCluster(
        cluster,
        snapshot,
        benchAuthHeaders(!!options.apiKeys),
        keysDir,
        options.profileDir,
        tls,
        tlsDir,
      );
      await cluster.waitForLeader(30_000);
      await cluster.waitForIsr(
        cluster.replicas.map((replica) => replica.id),
        30_000,
      );
      if (cluster.api) await cluster.api.waitReady(30_000, '/health/ready');
      return bench;
    } catch (error) {
      snapshot.remove();
      if (tlsDir) rmSync(tlsDir, { recursive: true, force: true });
      if (keysDir) rmSync(keysDir, { recursive: true, force: true });
      throw error;
    }
  }

  /** The current leader's process (waits for an agreed one). */
  async leader() {
    return this.cluster.waitForLeader(30_000);
  }

  /** Label -> pid of every process: api, etcd, and replicas as "L" (leader) / "F1", "F2"... */
  async pids(): Promise<{ pids: PidMap; leaderId: string; names: Record<string, string> }> {
    const leader = await this.leader();
    const pids: PidMap = {};
    const names: Record<string, string> = {};
    if (this.cluster.api?.pid) {
      pids.api = this.cluster.api.pid;
      names.api = 'api';
    }
    let follower = 0;
    for (const replica of this.cluster.replicas) {
      const label = replica === leader ? 'L' : `F${++follower}`;
      pids[label] = replica.pid;
      names[label] = replica.id;
    }
    if (this.cluster.etcd?.pid) {
      pids.etcd = this.cluster.etcd.pid;
      names.etcd = 'etcd';
    }
    return { pids, leaderId: leader.id, names };
  }

  /** Pid -> process name of every Node child (for matching CPU profiles). */
  nodeProcesses(): Map<number, string> {
    const map = new Map<number, string>();
    for (const replica of this.cluster.replicas) if (replica.pid) map.set(replica.pid, replica.id);
    if (this.cluster.api?.pid) map.set(this.cluster.api.pid, 'api');
    return map;
  }

  /** With profiling on: restart every profile now (leaves start-up out of them). */
  async resetProfiles(): Promise<void> {
    if (!this.profileDir) return;
    writeFileSync(join(this.profileDir, RESET_FILE), `${Date.now()}\n`);
    await sleep(300);
  }

  /** With profiling on: keep every profile so far as `<name>.<pid>.cpuprofile`, then restart it. */
  async saveProfiles(name: string): Promise<void> {
    if (!this.profileDir) return;
    writeFileSync(join(this.profileDir, RESET_FILE), `save ${name} ${Date.now()}\n`);
    await sleep(1000);
  }

  async stop(): Promise<void> {
    try {
      await this.cluster.stop();
    } finally {
      this.snapshot.remove();
      if (this.tlsDir) rmSync(this.tlsDir, { recursive: true, force: true });
      if (this.keysDir) rmSync(this.keysDir, { recursive: true, force: true });
    }
  }
}
