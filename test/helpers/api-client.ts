/**
 * The e2e suites' one HTTP client for the API: its calls as a user makes them, answers kept
 * whole (status, headers, parsed body, raw text) so tests can assert on the problem+json
 * shape. Built on the global fetch (undici): keep-alive, no retries of its own, nothing to
 * close.
 */
import { setTimeout as sleep } from 'node:timers/promises';

export interface HttpAnswer<T = unknown> {
  status: number;
  headers: Headers;
  body: T;
  text: string;
}

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  [field: string]: unknown;
}

export interface ClusterNode {
  id: string;
  address: string;
  role: string;
  inSync: boolean;
  logEndOffset: number;
  highWatermark: number;
  logStartOffset: number;
}

export interface ClusterView {
  leader: string | null;
  epoch: number;
  nodes: ClusterNode[];
}

export class ApiClient {
  /**
   * `headers` go with every request (an API key's Authorization, say); `dispatcher` is an
   * undici Agent for the requests (one that trusts a test CA, for HTTPS).
   */
  constructor(
    readonly baseUrl: string,
    private readonly headers: Record<string, string> = {},
    private readonly dispatcher?: object,
  ) {}

  async request<T = unknown>(
    method: string,
    path: string,
    options: {
      body?: string;
      contentType?: string;
      timeoutMs?: number;
      /** Request headers besides Content-Type (Idempotency-Key, Expected-Offset). */
      headers?: Record<string, string>;
    } = {},
  ): Promise<HttpAnswer<T>> {
    const headers: Record<string, string> = { ...this.headers, ...options.headers };
    if (options.body !== undefined)
      headers['content-type'] = options.contentType ?? 'application/json';
    const res = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers,
      body: options.body,
      signal: AbortSignal.timeout(options.timeoutMs ?? 30_000),
      // Node's fetch takes an undici dispatcher; the DOM RequestInit type does not name it.
      ...(this.dispatcher && { dispatcher: this.dispatcher }),
    } as RequestInit);
    const text = await res.text();
    let body: unknown = text;
    if ((res.headers.get('content-type') ?? '').includes('json') && text) body = JSON.parse(text);
    return { status: res.status, headers: res.headers, body: body as T, text };
  }

  /** POST /Data; resolves with the offset, throws with the problem on any other answer. */
  async append(message: string): Promise<number> {
    const answer = await this.appendAnswer(message);
    if (answer.status >= 300)
      throw new HttpProblemError(answer.status, answer.body as unknown as Problem);
    return answer.body.offset;
  }

  /** POST /Data as the whole answer (201 with the offset, or a problem), for asserting on it. */
  appendAnswer(message: string): Promise<HttpAnswer<{ offset: number }>> {
    return this.request('POST', '/Data', { body: JSON.stringify({ message }) });
  }

  /** GET /Data?offset=n as an answer (200 with the message, or a problem). */
  read(offset: number | string): Promise<HttpAnswer<{ message: string; offset: number }>> {
    return this.request('GET', `/Data?offset=${offset}`);
  }

  async cluster(): Promise<ClusterView> {
    const answer = await this.request<ClusterView>('GET', '/Cluster');
    if (answer.status !== 200) throw new Error(`GET /Cluster answered ${answer.status}`);
    return answer.body;
  }

  /** A metric's value summed over its labels, from GET /metrics (0 when it is not there). */
  async metric(name: string): Promise<number> {
    const text = (await this.request<string>('GET', '/metrics')).text;
    return text
      .split('\n')
      .filter((line) => line.startsWith(`${name} `) || line.startsWith(`${name}{`))
      .reduce((sum, line) => sum + Number(line.slice(line.lastIndexOf(' ') + 1)), 0);
  }

  /** Polls until `predicate` holds for GET /Cluster, or fails after `timeoutMs`. */
  async waitForCluster(
    what: string,
    predicate: (view: ClusterView) => boolean,
    timeoutMs = 30_000,
  ): Promise<ClusterView> {
    const deadline = Date.now() + timeoutMs;
    let last: ClusterView | undefined;
    while (Date.now() < deadline) {
      try {
        last = await this.cluster();
        if (predicate(last)) return last;
      } catch {
        // the API may be restarting
      }
      await sleep(200);
    }
    throw new Error(
      `timed out after ${timeoutMs} ms waiting for ${what}; last view: ${JSON.stringify(last)}`,
    );
  }

  async waitReady(timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      try {
        if ((await this.request('GET', '/health/ready', { timeoutMs: 2_000 })).status === 200)
          return;
      } catch {
        // not up yet
      }
      await sleep(200);
    }
    throw new Error(`the API at ${this.baseUrl} was not ready within ${timeoutMs} ms`);
  }
}

export class HttpProblemError extends Error {
  constructor(
    readonly status: number,
    readonly problem: Problem,
  ) {
    super(`HTTP ${status}: ${problem?.detail ?? JSON.stringify(problem)}`);
  }
}
