import { readFileSync } from 'node:fs';
import { get as httpGet } from 'node:http';
import { get as httpsGet } from 'node:https';
import { API_NODE_ARGS } from './node-flags';
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
  /**
   * HTTPS: the API's certificate and key (DISTILLED_API_TLS_CERT/_KEY) and the CA that signed
   * them, which the readiness check trusts.
   */
  https?: { cert: string; key: string; ca: string };
}

/**
 * The HTTP API (dist/apps/api/main.js) as a child process. Ready = `GET /health` answers 200;
 * that says the process serves, not that a leader is known (that is `/health/ready`).
 */
export class ApiProcess extends ManagedProcess {
  readonly name = 'api';
  readonly host: string;
  private listenPort: number;
  /** The CA the readiness check trusts (HTTPS only). */
  private readonly ca?: Buffer;

  constructor(private readonly options: ApiProcessOptions) {
    super({
      ...options,
      script: options.script ?? defaultApiScript(),
      nodeArgs: options.nodeArgs ?? [...API_NODE_ARGS],
    });
    this.host = options.host ?? '127.0.0.1';
    this.listenPort = options.port ?? 0;
    this.ca = options.https ? readFileSync(options.https.ca) : undefined;
  }

  /** The HTTP port (0 until the first start() when none was given). */
  get port(): number {
    return this.listenPort;
  }

  /** Base URL without a trailing slash, e.g. http://127.0.0.1:5000 (https:// with `https`). */
  get url(): string {
    const host = this.host === '0.0.0.0' || this.host === '::' ? '127.0.0.1' : this.host;
    return `${this.options.https ? 'https' : 'http'}://${host}:${this.listenPort}`;
  }

  override async start(options?: { waitReady?: boolean }): Promise<void> {
    if (!this.listenPort) this.listenPort = await freePort();
    await super.start(options);
  }

  /** Polls `GET <path>` until it answers 200 (default `/health`). */
  waitReady(timeoutMs = 30_000, path = '/health'): Promise<void> {
    return this.pollUntil(`GET ${path} = 200`, timeoutMs, () =>
      getStatus(`${this.url}${path}`, this.ca),
    );
  }

  protected childEnv(): ProcessEnv {
    return {
      DISTILLED_ETCD: this.options.etcd,
      DISTILLED_CLUSTER: this.options.cluster,
      DISTILLED_API_HOST: this.host,
      DISTILLED_API_PORT: String(this.listenPort),
      ...(this.options.https && {
        DISTILLED_API_TLS_CERT: this.options.https.cert,
        DISTILLED_API_TLS_KEY: this.options.https.key,
      }),
      NO_COLOR: '1',
    };
  }

  protected waitUntilReady(timeoutMs: number): Promise<void> {
    return this.waitReady(timeoutMs);
  }
}

/**
 * True when GET `url` answers 200 within a second. node:http(s), not fetch: the global fetch
 * cannot be given a CA, and HTTPS here is signed by the cluster's own.
 */
function getStatus(url: string, ca: Buffer | undefined): Promise<boolean> {
  return new Promise((resolve) => {
    const get = url.startsWith('https:') ? httpsGet : httpGet;
    const req = get(url, { ca, timeout: 1000 }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode === 200));
      res.on('error', () => resolve(false));
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(false));
  });
}
