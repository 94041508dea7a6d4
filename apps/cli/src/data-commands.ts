// produce and consume: the HTTP API as a person at a terminal uses it.
import { setTimeout as sleep } from 'node:timers/promises';
import type { CliOptions } from './cli-options';
import { fail } from './output';
import { runningCluster } from './state';

/** The fields of an answer we print: a message, or an RFC 9457 problem. */
interface ApiAnswer {
  offset?: number;
  message?: string;
  nextOffset?: number;
  title?: string;
  detail?: string;
}

/** --api, else the running cluster's API, else the default port. */
export function apiUrl(opts: CliOptions): string {
  if (opts.api) return opts.api.replace(/\/$/, '');
  const state = runningCluster(opts.data);
  return state?.api?.url ?? `http://127.0.0.1:${opts.apiPort}`;
}

/**
 * The Authorization header for an API that runs with keys: the key comes from DISTILLED_API_KEY
 * (an environment variable rather than a flag, so it stays out of shell history and `ps`).
 */
export function apiKeyHeaders(): Record<string, string> {
  const key = process.env.DISTILLED_API_KEY?.trim();
  return key ? { authorization: `Bearer ${key}` } : {};
}

async function request(url: string, init: RequestInit = {}): Promise<Response> {
  try {
    return await fetch(url, {
      ...init,
      headers: { ...apiKeyHeaders(), ...(init.headers as Record<string, string> | undefined) },
      signal: AbortSignal.timeout(30_000),
    });
  } catch (error) {
    const { message, cause } = error as Error & { cause?: Error };
    fail(`cannot reach the API at ${url}: ${cause?.message ?? message}. Is the cluster running?`);
  }
}

async function answer(res: Response): Promise<ApiAnswer> {
  return (await res.json().catch(() => ({}))) as ApiAnswer;
}

/** One line from an RFC 9457 problem answer (or whatever else came back). */
function problem(res: Response, body: ApiAnswer): string {
  const where = `${new URL(res.url).pathname}`;
  return `${where} answered ${res.status} ${body.title ?? res.statusText}${body.detail ? `: ${body.detail}` : ''}`;
}

async function readStdinLines(): Promise<string[]> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks)
    .toString('utf8')
    .split('\n')
    .filter((line) => line !== '');
}

export async function produce(opts: CliOptions, given: string[]): Promise<void> {
  const messages = given.length === 0 && !process.stdin.isTTY ? await readStdinLines() : given;
  if (messages.length === 0)
    fail('nothing to produce: distilled produce <message...> (or pipe lines in)');
  const api = apiUrl(opts);
  for (const message of messages) {
    const res = await request(`${api}/Data`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ message }),
    });
    const body = await answer(res);
    if (!res.ok) fail(problem(res, body));
    process.stdout.write(`${body.offset}\t${message}\n`);
  }
}

export async function consume(opts: CliOptions): Promise<void> {
  const api = apiUrl(opts);
  let offset = opts.from;
  for (;;) {
    const res = await request(`${api}/Data?offset=${offset}`);
    const body = await answer(res);
    if (res.status === 404 && body.nextOffset !== undefined) {
      if (!opts.follow) return;
      await sleep(500);
      continue;
    }
    if (!res.ok) fail(problem(res, body));
    process.stdout.write(`${body.offset}\t${body.message}\n`);
    offset += 1;
  }
}
