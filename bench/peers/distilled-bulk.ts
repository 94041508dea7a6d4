/**
 * Distilled's side of the batched and bulk-read rows: POST /Data/Batch of 100 messages and
 * GET /Data/Range?limit=1000 draining the log (DESIGN.md part A). Both calls are built on
 * other branches, so each is probed first: a build without the route (404) leaves its row out
 * instead of failing the run.
 */
import { Client } from 'undici';
import type { Operation } from '../lib/closed-loop';
import type { OffsetRange } from '../lib/targets';

/** True when the API at `origin` answers `path` with anything but 404/405. */
export async function routeExists(
  origin: string,
  method: 'GET' | 'POST',
  path: string,
  body?: string,
): Promise<boolean> {
  const client = new Client(origin);
  try {
    const res = await client.request({
      path,
      method,
      body,
      headers: body ? { 'content-type': 'application/json' } : undefined,
    });
    await res.body.text();
    return res.statusCode !== 404 && res.statusCode !== 405;
  } finally {
    await client.close();
  }
}

export const hasBatch = (origin: string) =>
  routeExists(origin, 'POST', '/Data/Batch', JSON.stringify({ messages: ['probe'] }));
export const hasRange = (origin: string) =>
  routeExists(origin, 'GET', '/Data/Range?offset=0&limit=1');

/** One keep-alive connection per worker, each op one POST /Data/Batch of `count` messages. */
export class BatchWorkers {
  private readonly clients: Client[];

  constructor(origin: string, concurrency: number) {
    this.clients = Array.from(
      { length: concurrency },
      () => new Client(origin, { pipelining: 1, keepAliveTimeout: 60_000 }),
    );
  }

  append(size: number, count: number, written: OffsetRange): Operation {
    const body = JSON.stringify({
      messages: Array.from({ length: count }, () => 'x'.repeat(size)),
    });
    const headers = { 'content-type': 'application/json' };
    return async (worker) => {
      const res = await this.clients[worker].request({
        path: '/Data/Batch',
        method: 'POST',
        headers,
        body,
      });
      const text = await res.body.text();
      if (res.statusCode < 200 || res.statusCode >= 300) {
        throw new Error(`POST /Data/Batch ${res.statusCode}: ${text.slice(0, 200)}`);
      }
      const answer = JSON.parse(text) as { firstOffset: number; count: number };
      written.note(answer.firstOffset);
      written.note(answer.firstOffset + answer.count - 1);
    };
  }

  async close(): Promise<void> {
    await Promise.all(this.clients.map((client) => client.close().catch(() => undefined)));
  }
}

/**
 * Reads the committed log from `from` to its end with GET /Data/Range?limit=`limit` on one
 * connection, page after page; resolves to how many messages arrived and in how many seconds.
 */
export async function drainRange(
  origin: string,
  from: number,
  limit = 1000,
): Promise<{ messages: number; seconds: number }> {
  const client = new Client(origin, { pipelining: 1, keepAliveTimeout: 60_000 });
  try {
    const start = performance.now();
    let offset = from;
    let count = 0;
    for (;;) {
      const res = await client.request({
        path: `/Data/Range?offset=${offset}&limit=${limit}`,
        method: 'GET',
      });
      const text = await res.body.text();
      if (res.statusCode !== 200) {
        throw new Error(
          `GET /Data/Range?offset=${offset} ${res.statusCode}: ${text.slice(0, 200)}`,
        );
      }
      const page = JSON.parse(text) as {
        messages: unknown[];
        nextOffset: number;
        endOffset: number;
      };
      count += page.messages.length;
      offset = page.nextOffset;
      if (page.messages.length === 0 || offset >= page.endOffset) break;
    }
    return { messages: count, seconds: (performance.now() - start) / 1000 };
  } finally {
    await client.close();
  }
}
