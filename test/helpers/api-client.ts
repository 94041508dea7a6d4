import { Agent, request } from 'undici';

export interface ApiAnswer<T = unknown> {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: T;
  text: string;
}

/** A small keep-alive HTTP client for the API in e2e tests (undici, no retries of its own). */
export class ApiClient {
  private readonly agent = new Agent({ connections: 64, keepAliveTimeout: 10_000 });

  constructor(readonly baseUrl: string) {}

  async send<T = unknown>(
    method: string,
    path: string,
    options: { body?: string | Buffer; contentType?: string; timeoutMs?: number } = {},
  ): Promise<ApiAnswer<T>> {
    const headers: Record<string, string> = {};
    if (options.body !== undefined)
      headers['content-type'] = options.contentType ?? 'application/json';
    const response = await request(`${this.baseUrl}${path}`, {
      method: method as 'GET',
      headers,
      body: options.body,
      dispatcher: this.agent,
      headersTimeout: options.timeoutMs ?? 30_000,
      bodyTimeout: options.timeoutMs ?? 30_000,
    });
    const text = await response.body.text();
    let body: unknown = text;
    const type = String(response.headers['content-type'] ?? '');
    if (type.includes('json') && text !== '') body = JSON.parse(text);
    return { status: response.statusCode, headers: response.headers, body: body as T, text };
  }

  append(message: string): Promise<ApiAnswer<{ offset: number }>> {
    return this.send('POST', '/Data', { body: JSON.stringify({ message }) });
  }

  read(offset: number | string): Promise<ApiAnswer<{ message: string; offset: number }>> {
    return this.send('GET', `/Data?offset=${offset}`);
  }

  close(): Promise<void> {
    return this.agent.close();
  }
}
