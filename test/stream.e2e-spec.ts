import { setTimeout as sleep } from 'node:timers/promises';
import { ApiClient } from './helpers/api-client';
import { dumpOutput, startE2eCluster, type E2eCluster } from './helpers/e2e-cluster';
import { eventually } from './helpers/eventually';
import { openStream, ResumingFollower, type StreamEvent } from './helpers/sse-client';
import { checkStream } from './helpers/stream-check';
import { startWriters } from './helpers/writers';

interface RangeAnswer {
  messages: Array<{ offset: number; message: string }>;
  nextOffset: number;
  endOffset: number;
}

// GET /Data/Stream against real processes: the SSE contract, slow beside fast clients, a
// thousand idle followers, and followers that keep going across an API restart (by
// Last-Event-ID), a leader SIGKILL and a follower SIGKILL (no gap, no duplicate, nothing
// uncommitted).
describe('GET /Data/Stream', () => {
  let cluster: E2eCluster;
  let api: ApiClient;

  beforeAll(async () => {
    // 1,000 idle followers plus this suite's other clients fit the default connection cap
    // (DISTILLED_API_MAX_CONNECTIONS, 10,000): no setting needed.
    cluster = await startE2eCluster({ replicas: 3, minInsync: 2 });
    api = new ApiClient(cluster.api.baseUrl);
  });
  afterAll(async () => {
    await cluster?.stop();
  });

  const base = () => cluster.api.baseUrl;

  /** The whole log, paged through Range (a 503, "try again", is retried as a client would). */
  async function readLog(): Promise<string[]> {
    const log: string[] = [];
    for (let unavailable = 0; ;) {
      const answer = await api.request<RangeAnswer>(
        'GET',
        `/Data/Range?offset=${log.length}&limit=10000&maxBytes=16777216`,
      );
      if (answer.status === 503 && unavailable++ < 20) {
        await sleep(500);
        continue;
      }
      expect(answer.status).toBe(200);
      if (answer.body.messages.length === 0) return log;
      log.push(...answer.body.messages.map((m) => m.message));
    }
  }

  async function metric(name: string): Promise<number> {
    const text = (await api.request('GET', '/metrics')).text;
    const line = text.split('\n').find((l) => l.startsWith(`${name} `) || l.startsWith(`${name}{`));
    return line ? Number(line.split(' ').pop()) : NaN;
  }

  async function feedReplica(): Promise<string | null> {
    const text = (await api.request('GET', '/metrics')).text;
    return /distilled_api_stream_feed_replica\{replica="([^"]+)"\} 1/.exec(text)?.[1] ?? null;
  }

  it('streams every message from an offset as text/event-stream, then live ones as they commit', async () => {
    for (let i = 0; i < 20; i++) expect((await api.appendAnswer(`first ${i}`)).status).toBe(201);
    const events: StreamEvent[] = [];
    const stream = openStream(base(), 'offset=5', (e) => events.push(e));
    expect(await stream.head).toEqual({
      status: 200,
      contentType: 'text/event-stream; charset=utf-8',
    });
    await eventually('15 events', async () => (events.length >= 15 ? true : undefined), 10_000);
    const offset = (await api.appendAnswer('live one')).body.offset;
    await eventually('the live event', async () => (events.length >= 16 ? true : undefined), 5000);
    stream.close();
    expect(events.map((e) => e.offset)).toEqual(Array.from({ length: 16 }, (_, i) => 5 + i));
    expect(events[15]).toMatchObject({ offset, message: 'live one' });
  });

  it('starts at the next message with offset=end, and resumes after Last-Event-ID (which wins)', async () => {
    const events: StreamEvent[] = [];
    const stream = openStream(base(), 'offset=end', (e) => events.push(e));
    await stream.head;
    await sleep(300);
    const offset = (await api.appendAnswer('after end')).body.offset;
    await eventually('the event', async () => (events.length >= 1 ? true : undefined), 5000);
    stream.close();
    expect(events).toEqual([expect.objectContaining({ offset, message: 'after end' })]);

    const resumed: StreamEvent[] = [];
    const again = openStream(base(), 'offset=0', (e) => resumed.push(e), {
      'last-event-id': String(offset - 2),
    });
    await eventually('two events', async () => (resumed.length >= 2 ? true : undefined), 5000);
    again.close();
    expect(resumed.map((e) => e.offset)).toEqual([offset - 1, offset]);
  });

  it('answers bad parameters with 400 problem+json naming the field', async () => {
    const fetcher = new ApiClient(base());
    for (const [query, field] of [
      ['', 'offset'],
      ['offset=-1', 'offset'],
      ['offset=1&offset=2', 'offset'],
      ['offset=soon', 'offset'],
    ]) {
      const answer = await fetcher.request<{ errors: Array<{ field: string }> }>(
        'GET',
        `/Data/Stream?${query}`,
      );
      expect(answer.status).toBe(400);
      expect(answer.body.errors[0].field).toBe(field);
    }
    const header = await fetch(`${base()}/Data/Stream?offset=0`, {
      headers: { 'last-event-id': '1.5' },
    });
    expect(header.status).toBe(400);
    expect(((await header.json()) as { errors: Array<{ field: string }> }).errors[0].field).toBe(
      'Last-Event-ID',
    );
  });

  it('keeps a fast client at the tail while a slow one stops reading, and gives the slow one everything later', async () => {
    const start = (await readLog()).length;
    const fast: StreamEvent[] = [];
    const slow: StreamEvent[] = [];
    const fastStream = openStream(base(), `offset=${start}`, (e) => fast.push(e));
    const slowStream = openStream(base(), `offset=${start}`, (e) => slow.push(e));
    await Promise.all([fastStream.head, slowStream.head]);
    slowStream.pause();
    // ~2 KB messages: the slow client's socket fills within a few hundred of them.
    const big = 'y'.repeat(2000);
    const latencies: number[] = [];
    for (let i = 0; i < 60; i++) {
      const writes = await Promise.all(
        Array.from({ length: 50 }, async (_, j) => {
          const answer = await api.appendAnswer(`${i}-${j} ${big}`);
          return { offset: answer.body.offset, at: Date.now() };
        }),
      );
      const last = Math.max(...writes.map((w) => w.offset));
      await eventually(
        'the fast client to keep up',
        async () => (fast.at(-1)?.offset === last ? true : undefined),
        10_000,
      );
      latencies.push(fast.at(-1)!.at - Math.max(...writes.map((w) => w.at)));
    }
    const buffered = await metric('distilled_api_stream_socket_buffered_bytes');
    process.stderr.write(
      `slow client: ${slow.length} of ${fast.length} events while paused; API socket buffers ${buffered} bytes; fast client lag after the last ack of a round (ms): median ${latencies.sort((a, b) => a - b)[30]}\n`,
    );
    expect(slow.length).toBeLessThan(fast.length / 2);
    // Bounded: one chunk per connection in the socket, not the 6 MB the slow client is behind.
    expect(buffered).toBeLessThan(2 * 1024 * 1024);
    slowStream.resume();
    await eventually(
      'the slow client to catch up',
      async () => (slow.length === fast.length ? true : undefined),
      60_000,
    );
    fastStream.close();
    slowStream.close();
    const log = await readLog();
    expect(checkStream('fast', fast, start, log)).toEqual([]);
    expect(checkStream('slow', slow, start, log)).toEqual([]);
  });

  it('holds 1,000 idle followers on one shared feed with bounded, reported memory', async () => {
    const before = await metric('distilled_api_process_resident_memory_bytes');
    const received = new Array<number>(1000).fill(0);
    const streams = [];
    for (let i = 0; i < 1000; i++) {
      streams.push(openStream(base(), 'offset=end', () => (received[i] += 1)));
      if (i % 100 === 99) await Promise.all(streams.slice(i - 99).map((s) => s.head));
    }
    await eventually(
      '1,000 connections',
      async () => ((await metric('distilled_api_stream_connections')) === 1000 ? true : undefined),
      30_000,
    );
    const rss = await metric('distilled_api_process_resident_memory_bytes');
    const heap = await metric('distilled_api_nodejs_heap_size_used_bytes');
    process.stderr.write(
      `1,000 idle followers: API RSS ${(rss / 2 ** 20).toFixed(0)} MiB (${((rss - before) / 2 ** 20).toFixed(1)} MiB more than before), heap used ${(heap / 2 ** 20).toFixed(0)} MiB, ring ${await metric('distilled_api_stream_ring_bytes')} bytes\n`,
    );
    expect(rss - before).toBeLessThan(200 * 2 ** 20);
    await api.appendAnswer('to the thousand');
    await eventually(
      'every follower to get it',
      async () => (received.every((n) => n === 1) ? true : undefined),
      30_000,
    );
    for (const stream of streams) stream.close();
    await eventually(
      'the connections to close',
      async () => ((await metric('distilled_api_stream_connections')) === 0 ? true : undefined),
      30_000,
    );
  });

  it('follows across an API restart (Last-Event-ID), a leader SIGKILL and a follower SIGKILL', async () => {
    const local = cluster.local!;
    const start = (await readLog()).length;
    const followers = Array.from({ length: 4 }, () =>
      new ResumingFollower(base, `offset=${start}`, 100).start(),
    );
    const writers = startWriters(new ApiClient(base()), {
      workers: 4,
      prefix: 'faults',
      pauseMs: 5,
    });
    try {
      await sleep(1500);
      // The API dies: every connection ends, every follower reconnects with Last-Event-ID.
      await local.api!.kill('SIGKILL');
      await sleep(500);
      await local.api!.start();
      await cluster.api.waitReady(30_000);
      await sleep(1500);
      // The leader dies.
      const leader = await local.waitForLeader(10_000);
      await leader.kill('SIGKILL');
      await sleep(3000);
      await leader.start();
      await local.waitForIsr(
        local.replicas.map((r) => r.id),
        30_000,
      );
      await sleep(1000);
      // A follower dies: the one the shared feed reads from when that is a follower.
      const newLeader = await local.waitForLeader(10_000);
      const fed = await feedReplica();
      const victim =
        local.replicas.find((r) => r.id === fed && r.id !== newLeader.id) ??
        local.replicas.find((r) => r.id !== newLeader.id)!;
      process.stderr.write(
        `feed on ${fed}; killing follower ${victim.id} (leader ${newLeader.id})\n`,
      );
      await victim.kill('SIGKILL');
      await sleep(3000);
      await victim.start();
      await local.waitForIsr(
        local.replicas.map((r) => r.id),
        30_000,
      );
      await sleep(1000);
    } catch (error) {
      dumpOutput(local);
      throw error;
    } finally {
      await writers.stop();
    }
    const log = await readLog();
    await eventually(
      'every follower to reach the end of the log',
      async () => (followers.every((f) => f.lastOffset === log.length - 1) ? true : undefined),
      30_000,
    );
    for (const follower of followers) follower.stop();
    const run = await writers.stop();
    const acked = run.acked();
    expect(acked.length).toBeGreaterThan(50);
    for (const write of acked) expect(log[write.offset]).toBe(write.message);
    for (const [i, follower] of followers.entries()) {
      expect(checkStream(`follower ${i}`, follower.events, start, log)).toEqual([]);
      expect(follower.connections).toBeGreaterThanOrEqual(2); // the API restart ended the first
      // Within one connection offsets only go up by one: checked above over all of them.
    }
    process.stderr.write(
      `across the faults: ${acked.length} acknowledged writes, ${followers.map((f) => f.events.length).join('/')} events per follower over ${followers.map((f) => f.connections).join('/')} connections; feed reconnects ${await metric('distilled_api_stream_feed_reconnects')}\n`,
    );
  });
});
