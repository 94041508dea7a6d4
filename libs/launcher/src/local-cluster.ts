/**
 * A whole Distilled cluster on this machine as child processes (etcd, N replicas, the API), for
 * the CLI and for tests: who is started in what order with which environment, stopped in the
 * reverse order, and waits for the replicas to agree on a leader or an ISR. What it can be asked
 * for is in local-cluster-options.ts; how the waits poll, in cluster-agreement.ts.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { StatusResponse } from '@distilled/proto';
import { ApiProcess } from './api-process';
import { agreedLeader, pollReplicaViews } from './cluster-agreement';
import { LauncherError } from './errors';
import { EtcdProcess } from './etcd-process';
import { preferredOrFreePort } from './free-port';
import type { LocalClusterOptions, WaitForIsrOptions } from './local-cluster-options';
import type { ManagedProcess, ProcessEnv } from './managed-process';
import { ReplicaProcess } from './replica-process';
import { StatusClient } from './status-client';
import { clusterGrpcSecurity } from './throwaway-ca';

let clusterCounter = 0;
/**
 * A whole cluster on this machine (etcd, N replicas, the API) as child processes: what the
 * `distilled start` CLI runs, and what integration and e2e tests start, each on free ports
 * with its own data directory and etcd prefix.
 */
export class LocalCluster {
  /** The etcd this cluster started; undefined when it uses `etcdEndpoint`. */
  etcd?: EtcdProcess;
  /** Every replica ever added, in order, running or not. */
  readonly replicas: ReplicaProcess[] = [];
  /** The API process, when `api` is not false. */
  api?: ApiProcess;
  /** DISTILLED_CLUSTER of this cluster. */
  readonly cluster: string;
  readonly dataRoot: string;

  private etcdUrl: string;
  private readonly ownsDataRoot: boolean;
  private readonly statusClient: StatusClient;
  /** DISTILLED_GRPC_TLS_* of every process when `tls` is given. */
  private readonly tlsEnv: ProcessEnv;
  private stopped = false;

  private constructor(private readonly options: LocalClusterOptions) {
    this.cluster =
      options.cluster ??
      `distilled-${process.pid}-${++clusterCounter}-${Math.random().toString(36).slice(2, 8)}`;
    this.ownsDataRoot = !options.dataRoot;
    this.dataRoot = options.dataRoot ?? mkdtempSync(join(tmpdir(), 'distilled-cluster-'));
    mkdirSync(this.dataRoot, { recursive: true });
    this.etcdUrl = options.etcdEndpoint ?? '';
    const tls = options.tls;
    this.tlsEnv = tls
      ? {
          DISTILLED_GRPC_TLS_CA: tls.ca,
          DISTILLED_GRPC_TLS_CERT: tls.cert,
          DISTILLED_GRPC_TLS_KEY: tls.key,
        }
      : {};
    this.statusClient = new StatusClient(clusterGrpcSecurity(tls));
  }

  /** Starts etcd (unless `etcdEndpoint`), the replicas and the API; stops all of it on failure. */
  static async start(options: LocalClusterOptions = {}): Promise<LocalCluster> {
    const cluster = new LocalCluster(options);
    try {
      await cluster.startAll();
    } catch (error) {
      await cluster.stop();
      throw error;
    }
    return cluster;
  }

  /** DISTILLED_ETCD as the processes get it. */
  get etcdEndpoint(): string {
    return this.etcdUrl;
  }

  /** Replicas whose process is alive (paused ones included). */
  get runningReplicas(): ReplicaProcess[] {
    return this.replicas.filter((replica) => replica.running);
  }

  /** The replica with this id; throws LauncherError UNKNOWN_REPLICA if there is none. */
  replica(id: string): ReplicaProcess {
    const found = this.replicas.find((replica) => replica.id === id);
    if (!found)
      throw LauncherError.unknownReplica(
        id,
        this.replicas.map((r) => r.id),
      );
    return found;
  }

  /**
   * Creates the next replica (replica-<N+1>, data in `<dataRoot>/<id>`, empty unless a
   * previous run left data there) and starts it unless `start` is false.
   */
  async addReplica(options: { id?: string; start?: boolean } = {}): Promise<ReplicaProcess> {
    const id = options.id ?? `replica-${this.nextReplicaNumber()}`;
    if (this.replicas.some((replica) => replica.id === id)) {
      throw LauncherError.alreadyRunning(id, this.replica(id).pid);
    }
    const replica = await this.createReplica(id);
    if (options.start !== false) await replica.start();
    return replica;
  }

  /** Replica.Status of one replica (by process or id). */
  status(replica: ReplicaProcess | string, timeoutMs = 1000): Promise<StatusResponse> {
    const target = typeof replica === 'string' ? this.replica(replica) : replica;
    return this.statusClient.status(target.address, timeoutMs);
  }

  /**
   * Waits until one replica says it is the leader and every running, unpaused replica names
   * it as leader; returns that replica.
   */
  async waitForLeader(timeoutMs = 20_000): Promise<ReplicaProcess> {
    const result = await this.pollCluster('an agreed leader', timeoutMs, (views) => {
      const leader = agreedLeader(views);
      return leader ? this.replica(leader.id) : undefined;
    });
    return result;
  }

  /**
   * Waits until the leader's ISR is `ids` (or contains them, with `exact: false`) and every
   * running replica agrees on that leader; returns the leader's Status.
   */
  waitForIsr(
    ids: string[],
    timeoutMs = 20_000,
    options: WaitForIsrOptions = {},
  ): Promise<StatusResponse> {
    const want = [...ids].sort();
    const exact = options.exact ?? true;
    return this.pollCluster(`ISR [${want.join(', ')}]`, timeoutMs, (views) => {
      const leader = agreedLeader(views);
      if (!leader) return undefined;
      const isr = [...leader.isr].sort();
      const ok = exact
        ? isr.length === want.length && isr.every((id, i) => id === want[i])
        : want.every((id) => isr.includes(id));
      return ok ? leader : undefined;
    });
  }

  /**
   * Stops the API, the replicas and etcd (SIGTERM, SIGKILL after the grace period) and
   * removes a temporary dataRoot unless keepData. Safe to call more than once.
   */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.statusClient.close();
    await this.api?.stop();
    await Promise.all(this.replicas.map((replica) => replica.stop()));
    await this.etcd?.stop(false);
    if (this.ownsDataRoot && !this.options.keepData) {
      rmSync(this.dataRoot, { recursive: true, force: true });
    }
  }

  private async startAll(): Promise<void> {
    const options = this.options;
    if (!options.etcdEndpoint) {
      this.etcd = new EtcdProcess({
        dataDir: join(this.dataRoot, 'etcd'),
        host: options.etcdHost,
        clientPort: await preferredOrFreePort(options.etcdClientPort),
        peerPort: await preferredOrFreePort(options.etcdPeerPort),
        onOutput: (line) => this.output('etcd', line),
      });
      await this.etcd.start();
      this.etcdUrl = this.etcd.endpoint;
    }
    const count = options.replicas ?? 3;
    // Ports are chosen one after another so basePort, basePort+1, ... stay predictable.
    for (let i = 1; i <= count; i++) await this.createReplica(`replica-${i}`);
    await Promise.all(this.replicas.map((replica) => replica.start()));
    if (options.api !== false) {
      const api = new ApiProcess({
        etcd: this.etcdUrl,
        cluster: this.cluster,
        host: options.apiHost,
        port: options.apiPort,
        https: options.tls,
        script: options.apiScript,
        nodeArgs: options.apiNodeArgs,
        env: { ...this.tlsEnv, ...options.env, ...options.apiEnv },
        onOutput: (line) => this.output('api', line),
        stopTimeoutMs: options.stopTimeoutMs,
        readyTimeoutMs: options.readyTimeoutMs,
      });
      this.watchExit(api);
      this.api = api;
      await api.start();
    }
  }

  private async createReplica(id: string): Promise<ReplicaProcess> {
    const options = this.options;
    const index = this.replicas.length;
    const own = options.replicaOptions?.(id) ?? {};
    const grpcHost = own.grpcHost ?? options.grpcHost;
    const replica = new ReplicaProcess({
      id,
      etcd: this.etcdUrl,
      cluster: this.cluster,
      dataDir: join(this.dataRoot, id),
      grpcHost,
      grpcPort: await preferredOrFreePort(
        options.basePort ? options.basePort + index : undefined,
        // A host that exists only inside the replica's network namespace cannot be probed
        // from here; a port free on loopback is as good as any there.
        own.wrapper ? undefined : grpcHost,
      ),
      minInsync: options.minInsync,
      fsync: options.fsync,
      script: options.serverScript,
      nodeArgs: options.replicaNodeArgs,
      onOutput: (line) => this.output(id, line),
      stopTimeoutMs: options.stopTimeoutMs,
      readyTimeoutMs: options.readyTimeoutMs,
      ...own,
      env: { ...this.tlsEnv, ...options.env, ...options.replicaEnv, ...own.env },
    });
    this.watchExit(replica);
    this.replicas.push(replica);
    return replica;
  }

  private nextReplicaNumber(): number {
    const numbers = this.replicas.map((r) => Number(/^replica-(\d+)$/.exec(r.id)?.[1] ?? 0));
    return Math.max(0, ...numbers) + 1;
  }

  private watchExit(child: ManagedProcess): void {
    const onExit = this.options.onExit;
    if (onExit) child.onExit((info) => onExit(child, info));
  }

  /** Polls Status of every running, unpaused replica until `decide` returns a value. */
  private pollCluster<T>(
    what: string,
    timeoutMs: number,
    decide: (views: StatusResponse[]) => T | undefined,
  ): Promise<T> {
    const status = (replica: ReplicaProcess, ms: number) => this.status(replica, ms);
    return pollReplicaViews(this.replicas, status, what, timeoutMs, decide);
  }

  private output(source: string, line: string): void {
    if (this.options.onOutput) this.options.onOutput(source, line);
    else if (process.env.DISTILLED_LAUNCHER_LOGS) process.stderr.write(`[${source}] ${line}\n`);
  }
}
