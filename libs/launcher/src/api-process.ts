import { defaultApiScript } from './repo-root';
import { freePort } from './free-port';
import { ManagedProcess, type ManagedProcessOptions, type ProcessEnv } from './managed-process';

export interface ApiProcessOptions extends Partial<ManagedProcessOptions> {
  /** DISTILLED_ETCD: comma-separated endpoints. */
  etcd: string;
  /** DISTILLED_CLUSTER: the etcd key prefix. */
  cluster: string;
  /** DISTILLED_API_PORT; a free port when omitted (chosen once, kept across restarts). */
  port?: number;
  /** DISTILLED_API_HOST (default 127.0.0.1). */
  host?: string;
}

/**
 * The HTTP API (dist/apps/api/main.js) as a child process. Ready = `GET /health` answers 200;
 * that says the process serves, not that a leader is known (that is `/health/ready`).
 */
export class ApiProcess extends ManagedProcess {
  readonly name = 'api';
  readonly host: string;
  private listenPort: number;

  constructor(private readonly options: ApiProcessOptions) {
    super({ ...options, script: options.script ?? defaultApiScript() });
    this.host = options.host ?? '127.0.0.1';
    this.listenPort = options.port ?? 0;
  }

  /** The HTTP port (0 until the first start() when none was given). */
  get port(): number {
    return this.listenPort;
  }

  /** Base URL without a trailing slash, e.g. http://127.0.0.1:5000. */
  get url(): string {
    const host = this.host === '0.0.0.0' || this.host === '::' ? '127.0.0.1' : this.host;
    return `http://${host}:${this.listenPort}`;
  }

  override async start(options?: { waitReady?: boolean }): Promise<void> {
    if (!this.listenPort) this.listenPort = await freePort();
    await super.start(options);
  }

  /** Polls `GET <path>` until it answers 200 (default `/health`). */
  waitReady(timeoutMs = 30_000, path = '/health'): Promise<void> {
    return this.pollUntil(`GET ${path} = 200`, timeoutMs, async () => {
      try {
        const res = await fetch(`${this.url}${path}`, { signal: AbortSignal.timeout(1000) });
        await res.arrayBuffer();
        return res.status === 200;
      } catch {
        return false;
      }
    });
  }

  protected childEnv(): ProcessEnv {
    return {
      DISTILLED_ETCD: this.options.etcd,
      DISTILLED_CLUSTER: this.options.cluster,
      DISTILLED_API_HOST: this.host,
      DISTILLED_API_PORT: String(this.listenPort),
      NO_COLOR: '1',
    };
  }

  protected waitUntilReady(timeoutMs: number): Promise<void> {
    return this.waitReady(timeoutMs);
  }
}
