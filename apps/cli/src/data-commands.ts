// produce and consume: the HTTP API as a person at a terminal uses it.
import { setTimeout as sleep } from 'node:timers/promises';
import type { CliOptions } from './cli-options';
import { fail, warn } from './output';
import { runningCluster } from './state';

/** The fields of an answer we print: a message, or an RFC 9457 problem. */
interface ApiAnswer {
  offset?: number;
  /** POST /Data/Batch: the offset of the batch's first message. */
  firstOffset?: number;
  message?: string;
  /** GET /Data/Range: the page, and where the next one starts. */
  messages?: { offset: number; message: string }[];
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

/** What Node's TLS reports for a certificate signed by a CA it does not know. */
const UNTRUSTED_CERTIFICATE = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
]);

async function request(url: string, init: RequestInit = {}): Promise<Response> {
  try {
    return await fetch(url, {
      ...init,
      headers: { ...apiKeyHeaders(), ...(init.headers as Record<string, string> | undefined) },
      signal: AbortSignal.timeout(30_000),
    });
  } catch (error) {
    const { message, cause } = error as Error & { cause?: Error & { code?: string } };
    if (cause?.code && UNTRUSTED_CERTIFICATE.has(cause.code)) {
      fail(
        `the API at ${url} has a certificate this machine does not trust (${cause.code}): ` +
          'start the command with NODE_EXTRA_CA_CERTS=<the CA file that signed it> ' +
          '(`start --tls` prints it: <data>/tls/distilled-ca.pem)',
      );
    }
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
  // One request per message, or per --batch messages (POST /Data/Batch: stored atomically).
  const batch = opts.batch !== undefined;
  const size = opts.batch ?? 1;
  for (let first = 0, n = 0; first < messages.length; first += size, n += 1) {
    const group = messages.slice(first, first + size);
    const body = JSON.stringify(batch ? { messages: group } : { message: group[0] });
    // --key K: the request's Idempotency-Key is K-<n> (n counts messages, or batches).
    const key = opts.key === undefined ? undefined : `${opts.key}-${n}`;
    const written = await sendWrite(`${api}${batch ? '/Data/Batch' : '/Data'}`, body, key);
    const offset = (batch ? written.firstOffset : written.offset) ?? 0;
    group.forEach((message, i) => process.stdout.write(`${offset + i}\t${message}\n`));
  }
}

/** Attempts of one keyed write before produce gives up, and the pause between them. */
const KEYED_ATTEMPTS = 10;
const RETRY_PAUSE_MS = 500;

/**
 * POSTs one write. With an Idempotency-Key, an unknown outcome (504, a lost connection), a 503
 * and a 409 are sent again with the same key, so a retry never stores a message twice.
 */
async function sendWrite(url: string, body: string, key?: string): Promise<ApiAnswer> {
  const headers: Record<string, string> = {
    ...apiKeyHeaders(),
    'content-type': 'application/json',
  };
  if (key !== undefined) headers['idempotency-key'] = key;
  for (let attempt = 1; ; attempt += 1) {
    let res: Response;
    try {
      res = await fetch(url, {
        method: 'POST',
        headers,
        body,
        signal: AbortSignal.timeout(30_000),
      });
    } catch (error) {
      if (key === undefined || attempt >= KEYED_ATTEMPTS) {
        const { message, cause } = error as Error & { cause?: Error };
        fail(`cannot reach the API at ${url}: ${cause?.message ?? message}`);
      }
      await sleep(RETRY_PAUSE_MS);
      continue;
    }
    const written = await answer(res);
    if (res.ok) return written;
    if (key === undefined || ![409, 503, 504].includes(res.status) || attempt >= KEYED_ATTEMPTS) {
      fail(problem(res, written));
    }
    await sleep(RETRY_PAUSE_MS);
  }
}

/** Pages through the log with GET /Data/Range; with --follow, follows it with GET /Data/Stream. */
export async function consume(opts: CliOptions): Promise<void> {
  const api = apiUrl(opts);
  if (opts.follow) return follow(api, opts.from);
  let offset = opts.from;
  for (;;) {
    const res = await request(`${api}/Data/Range?offset=${offset}&limit=1000`);
    const body = await answer(res);
    if (!res.ok) fail(problem(res, body));
    const page = body.messages ?? [];
    if (page.length === 0 || body.nextOffset === undefined) return;
    for (const { offset: at, message } of page) process.stdout.write(`${at}\t${message}\n`);
    offset = body.nextOffset;
  }
}

/**
 * Server-sent events from `offset` on, printed as they come. A dropped connection (an API
 * restart, a network blip) is reopened after a second with Last-Event-ID, as a browser's
 * EventSource does, so the output goes on without a gap or a repeat.
 */
async function follow(api: string, offset: number): Promise<never> {
  let lastId: number | null = null;
  for (;;) {
    const headers: Record<string, string> = apiKeyHeaders();
    if (lastId !== null) headers['last-event-id'] = String(lastId);
    try {
      const res = await fetch(`${api}/Data/Stream?offset=${offset}`, { headers });
      if (!res.ok || !res.body) {
        const body = await answer(res);
        if (res.status < 500) fail(problem(res, body));
        throw new Error(problem(res, body));
      }
      let buffer = '';
      let id: string | null = null;
      let data = '';
      for await (const chunk of res.body.pipeThrough(new TextDecoderStream())) {
        buffer += chunk;
        let newline: number;
        while ((newline = buffer.indexOf('\n')) >= 0) {
          const line = buffer.slice(0, newline).replace(/\r$/, '');
          buffer = buffer.slice(newline + 1);
          if (line === '') {
            if (data !== '') {
              const event = JSON.parse(data) as { offset: number; message: string };
              process.stdout.write(`${event.offset}\t${event.message}\n`);
              lastId = id === null ? event.offset : Number(id);
            }
            id = null;
            data = '';
          } else if (line.startsWith('id:')) id = line.slice(3).trim();
          else if (line.startsWith('data:')) data += line.slice(5).replace(/^ /, '');
        }
      }
      warn('the stream ended; reconnecting in 1 s');
    } catch (error) {
      const { message, cause } = error as Error & { cause?: Error };
      warn(`the stream dropped (${cause?.message ?? message}); reconnecting in 1 s`);
    }
    await sleep(1000);
  }
}
