import { cpSync, createWriteStream, mkdtempSync, rmSync, type WriteStream } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  LOCAL_NAMES,
  LocalCluster,
  ThrowawayCa,
  snapshotBuild,
  type BuildSnapshot,
  type ClusterTlsFiles,
  type ManagedProcess,
  type ReplicaProcessOptions,
} from '@distilled/launcher';
import { closeReplicaClients } from '../helpers/e2e-cluster';
import { Tmpfs } from '../helpers/tmpfs';
import { NetLab } from './net-lab';
import { FaultTransport } from './transport';

export interface FaultClusterOptions {
  replicas?: number;
  /** Replicas the nemesis may add during the run (each needs a network namespace). */
  spareReplicas?: number;
  minInsync?: number;
  /** Partitions need network namespaces; without them the replicas run on loopback. */
  partitions?: boolean;
  /** Name in the data directory, e.g. the seed. */
  label: string;
  replicaEnv?: Record<string, string>;
  apiEnv?: Record<string, string>;
  /**
   * TLS (HTTPS API, mutual TLS gRPC) with a throwaway CA made in the data directory, its
   * certificate valid for loopback and every namespace address; `transport` trusts it.
   */
  tls?: boolean;
  /**
   * Each replica's data directory on its own tmpfs of this many MiB (root only), so the
   * disk-full fault can fill one; on the temp directory's disk when omitted.
   */
  tmpfsMb?: number;
}

/** Mount points are named distilled-tmpfs-faults-*: `mount | grep distilled-tmpfs-faults` finds them. */
export const FAULT_TMPFS_LABEL = 'faults';

/**
 * The cluster a fault suite runs: the launcher's LocalCluster (etcd, replicas, API as child
 * processes), each replica in its own network namespace when partitions are wanted, with every
 * process's output written to `<dataRoot>/<name>.log`, and each replica's data on its own small
 * tmpfs when asked (`disks`). stop() always stops every process it started, the namespaces and
 * the mounts; the data directory stays when asked to (a failed run), with a copy of each tmpfs's.
 */
export class FaultCluster {
  private constructor(
    readonly local: LocalCluster,
    readonly net: NetLab | undefined,
    readonly dataRoot: string,
    private readonly logs: Map<string, WriteStream>,
    private readonly build: BuildSnapshot,
    /** Replica id -> the tmpfs its data directory is on (empty without `tmpfsMb`). */
    readonly disks: ReadonlyMap<string, Tmpfs>,
    /** How the suite's clients reach this cluster (TLS or not). */
    readonly transport: FaultTransport,
    /** How often the replicas said a disk was full, and had room again (their own log lines). */
    readonly diskReports: { full: number; roomAgain: number },
  ) {}

  private stopping?: Promise<void>;

  get apiUrl(): string {
    return this.local.api!.url;
  }

  static async start(options: FaultClusterOptions): Promise<FaultCluster> {
    const replicas = options.replicas ?? 3;
    const dataRoot = mkdtempSync(join(tmpdir(), `distilled-faults-${options.label}-`));
    // The build this run began with, whatever is rebuilt meanwhile.
    const build = snapshotBuild({ label: `faults-${options.label}` });
    const net = options.partitions
      ? NetLab.create(replicas + (options.spareReplicas ?? 0))
      : undefined;
    const logs = new Map<string, WriteStream>();
    const diskReports = { full: 0, roomAgain: 0 };
    const disks = new Map<string, Tmpfs>();
    // Mounted as each replica is made (add-replica's too), so there is never one too many.
    const diskOf = (id: string): Tmpfs => {
      let disk = disks.get(id);
      if (!disk) disks.set(id, (disk = Tmpfs.mount(options.tmpfsMb!, FAULT_TMPFS_LABEL)));
      return disk;
    };
    const logFile = (source: string) => {
      let stream = logs.get(source);
      if (!stream) logs.set(source, (stream = createWriteStream(join(dataRoot, `${source}.log`))));
      return stream;
    };
    let local: LocalCluster;
    let transport = FaultTransport.plain;
    try {
      const tls = options.tls ? await clusterTls(join(dataRoot, 'ca'), net) : undefined;
      if (tls) transport = FaultTransport.tls(tls);
      local = await LocalCluster.start({
        tls,
        replicas,
        minInsync: options.minInsync ?? 2,
        dataRoot,
        serverScript: build.serverScript,
        apiScript: build.apiScript,
        etcdHost: net?.etcdIp,
        replicaOptions: (id) => {
          const own: Partial<ReplicaProcessOptions> = {};
          if (options.tmpfsMb !== undefined) own.dataDir = diskOf(id).dataDir;
          if (net) {
            const slot = Number(/^replica-(\d+)$/.exec(id)?.[1]);
            if (!(slot >= 1 && slot <= net.slots))
              throw new Error(`no network namespace for ${id}`);
            Object.assign(own, { grpcHost: net.ip(slot), wrapper: net.wrapper(slot) });
          }
          return own;
        },
        replicaEnv: options.replicaEnv,
        apiEnv: options.apiEnv,
        onOutput: (source, line) => {
          logFile(source).write(`${line}\n`);
          // The replicas' own word that a filled disk bit (and that it came back).
          if (/disk of replica \S+ is full:/.test(line)) diskReports.full += 1;
          if (/disk of replica \S+ has room again/.test(line)) diskReports.roomAgain += 1;
        },
        stopTimeoutMs: 5_000,
        readyTimeoutMs: 30_000,
      });
    } catch (error) {
      await transport.close();
      net?.destroy();
      for (const disk of disks.values()) disk.unmount();
      build.remove();
      for (const stream of logs.values()) stream.end();
      throw error;
    }
    return new FaultCluster(local, net, dataRoot, logs, build, disks, transport, diskReports);
  }

  /** Every process that is or was part of the cluster (replicas, API). */
  get processes(): ManagedProcess[] {
    return [...this.local.replicas, ...(this.local.api ? [this.local.api] : [])];
  }

  /**
   * Stops every process, removes the namespaces, and removes the data unless `keepData`. Safe
   * to call again (an abandoned run stops the cluster, then its own cleanup does): the later
   * calls wait for the first.
   */
  stop(keepData: boolean): Promise<void> {
    this.stopping ??= this.stopOnce(keepData);
    return this.stopping;
  }

  private async stopOnce(keepData: boolean): Promise<void> {
    try {
      // A paused process would sit out its SIGTERM grace; wake them first.
      for (const replica of this.local.replicas) if (replica.isPaused) replica.resume();
      this.net?.heal();
      await this.local.stop();
    } finally {
      this.net?.destroy();
      this.unmountDisks(keepData);
      closeReplicaClients();
      await this.transport.close();
      this.build.remove();
      await Promise.all(
        [...this.logs.values()].map((s) => new Promise<void>((r) => s.end(() => r()))),
      );
      if (!keepData) rmSync(this.dataRoot, { recursive: true, force: true });
    }
  }

  /** Unmounts every tmpfs; a failed run's replica data is copied out first, to look at. */
  private unmountDisks(keepData: boolean): void {
    for (const [id, disk] of this.disks) {
      try {
        if (keepData) cpSync(disk.dataDir, join(this.dataRoot, id), { recursive: true });
      } catch {
        // nothing written yet, or wiped at the end: nothing to keep
      } finally {
        disk.unmount();
      }
    }
  }
}

/**
 * A CA and one certificate for every process, valid where they are dialled: loopback (the API,
 * the launcher) and, with partitions, each replica's namespace address.
 */
async function clusterTls(dir: string, net: NetLab | undefined): Promise<ClusterTlsFiles> {
  const ca = await ThrowawayCa.create(dir);
  const slots = Array.from({ length: net?.slots ?? 0 }, (_, i) => net!.ip(i + 1));
  const { cert, key } = await ca.issue('localhost', {
    ips: [...(LOCAL_NAMES.ips ?? []), ...slots],
    dns: LOCAL_NAMES.dns,
  });
  return { ca: ca.cert, cert, key };
}
