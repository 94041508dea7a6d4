import { mkdirSync } from 'node:fs';
import { REPLICA_NODE_ARGS } from './node-flags';
import { defaultServerScript } from './repo-root';
import { freePort } from './free-port';
import {
  canConnect,
  ManagedProcess,
  type ManagedProcessOptions,
  type ProcessEnv,
} from './managed-process';

/** DISTILLED_FSYNC: when an append reaches the disk (see libs/log-store README, "Guarantees"). */
export type FsyncPolicy = 'always' | 'interval' | 'never';

export interface ReplicaProcessOptions extends Partial<ManagedProcessOptions> {
  /** DISTILLED_NODE_ID. */
  id: string;
  /** DISTILLED_ETCD: comma-separated endpoints. */
  etcd: string;
  /** DISTILLED_CLUSTER: the etcd key prefix. */
  cluster: string;
  /** DISTILLED_DATA_DIR; created if missing. */
  dataDir: string;
  /** DISTILLED_GRPC_PORT; a free port when omitted (chosen once, kept across restarts). */
  grpcPort?: number;
  /** DISTILLED_GRPC_HOST (default 127.0.0.1). */
  grpcHost?: string;
  /** DISTILLED_MIN_INSYNC (default 1). */
  minInsync?: number;
  /** DISTILLED_FSYNC (default 'always'). */
  fsync?: FsyncPolicy;
}

/**
 * One replica server (dist/apps/server/main.js) as a child process, configured only through the
 * environment variables of the top-level README's Configuration table. Ready = its gRPC port
 * accepts connections.
 */
export class ReplicaProcess extends ManagedProcess {
  readonly id: string;
  readonly dataDir: string;
  readonly grpcHost: string;
  private port: number;

  constructor(private readonly options: ReplicaProcessOptions) {
    super({
      ...options,
      script: options.script ?? defaultServerScript(),
      nodeArgs: options.nodeArgs ?? [...REPLICA_NODE_ARGS],
    });
    this.id = options.id;
    this.dataDir = options.dataDir;
    this.grpcHost = options.grpcHost ?? '127.0.0.1';
    this.port = options.grpcPort ?? 0;
  }

  get name(): string {
    return this.id;
  }

  /** The gRPC port (0 until the first start() when none was given). */
  get grpcPort(): number {
    return this.port;
  }

  /** The address other replicas and the API dial (DISTILLED_ADVERTISE). */
  get address(): string {
    return `${this.dialHost}:${this.port}`;
  }

  private get dialHost(): string {
    // A wildcard bind is reachable on loopback; advertising 0.0.0.0 would not be dialable.
    return this.grpcHost === '0.0.0.0' || this.grpcHost === '::' ? '127.0.0.1' : this.grpcHost;
  }

  override async start(options?: { waitReady?: boolean }): Promise<void> {
    // The port is fixed on first start so restart() comes back at the same address.
    if (!this.port) this.port = await freePort();
    await super.start(options);
  }

  protected override prepare(): void {
    mkdirSync(this.dataDir, { recursive: true });
  }

  protected childEnv(): ProcessEnv {
    return {
      DISTILLED_ETCD: this.options.etcd,
      DISTILLED_CLUSTER: this.options.cluster,
      DISTILLED_NODE_ID: this.id,
      DISTILLED_GRPC_HOST: this.grpcHost,
      DISTILLED_GRPC_PORT: String(this.port),
      DISTILLED_ADVERTISE: this.address,
      DISTILLED_DATA_DIR: this.dataDir,
      DISTILLED_MIN_INSYNC: String(this.options.minInsync ?? 1),
      DISTILLED_FSYNC: this.options.fsync ?? 'always',
      // Nest colours its logs even into a pipe; plain text reads better in captured output.
      NO_COLOR: '1',
    };
  }

  protected waitUntilReady(timeoutMs: number): Promise<void> {
    return this.pollUntil(`gRPC port ${this.address}`, timeoutMs, () =>
      canConnect(this.dialHost, this.port),
    );
  }
}
