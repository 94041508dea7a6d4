/**
 * A small HTTP client for the e2e suites: the API's calls as a user makes them, answers kept
 * whole (status, headers, parsed body) so tests can assert on the problem+json shape.
 */
export interface HttpAnswer<T = unknown> {
  status: number;
  headers: Headers;
  body: T;
}

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  [field: string]: unknown;
}

export class ApiClient {
  /** `headers` go with every request (an API key's Authorization, say). */
  constructor(
    readonly baseUrl: string,
    private readonly headers: Record<string, string> = {},
  ) {}

  async request<T = unknown>(
    method: string,
    path: string,
    options: {
      body?: string;
      contentType?: string;
      timeoutMs?: number;
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
      signal: AbortSignal.timeout(options.timeoutMs ?? 15_000),
    });
    const text = await res.text();
    let body: unknown = text;
    if ((res.headers.get('content-type') ?? '').includes('json') && text) body = JSON.parse(text);
    return { status: res.status, headers: res.headers, body: body as T };
  }

  /** POST /Data; resolves with the offset, throws with the problem on any other answer. */
  async append(message: string): Promise<number> {
    const answer = await this.request<{ offset: number } | Problem>('POST', '/Data', {
      body: JSON.stringify({ message }),
    });
    if (answer.status >= 300) throw new HttpProblemError(answer.status, answer.body as Problem);
    return (answer.body as { offset: number }).offset;
  }

  /** GET /Data?offset=n as an answer (200 with the message, or a problem). */
  read(
    offset: number | string,
  ): Promise<HttpAnswer<{ message: string; offset: number } | Problem>> {
    return this.request('GET', `/Data?offset=${offset}`);
  }

  async cluster(): Promise<ClusterView> {
    const answer = await this.request<ClusterView>('GET', '/Cluster');
    if (answer.status !== 200) throw new Error(`GET /Cluster answered ${answer.status}`);
    return answer.body;
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
      await new Promise((r) => setTimeout(r, 200));
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
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error(`the API at ${this.baseUrl} was not ready within ${timeoutMs} ms`);
  }
}

export interface ClusterNode {
  id: string;
  address: string;
  role: string;
  inSync: boolean;
  logEndOffset: number;
  highWatermark: number;
}

export interface ClusterView {
  leader: string | null;
  epoch: number;
  nodes: ClusterNode[];
}

export class HttpProblemError extends Error {
  constructor(
    readonly status: number,
    readonly problem: Problem,
  ) {
    super(`HTTP ${status}: ${problem?.detail ?? JSON.stringify(problem)}`);
  }
}
