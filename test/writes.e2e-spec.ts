import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { EtcdProcess, LocalCluster, snapshotBuild, type BuildSnapshot } from '@distilled/launcher';
import { ApiClient, type HttpAnswer } from './helpers/api-client';
import { eventually } from './helpers/eventually';

/*
 * The writing half of the API against the real thing (apps/api/README.md, "Batches and safe
 * retries"): etcd, 3 replicas (min in-sync 2) and the API as built processes (npm run build first).
 * Batches stay whole across a leader SIGKILL; a key retried through a leader kill, an API restart
 * and a restart of every process is stored once; K writers racing with Expected-Offset leave no
 * hole and no duplicate.
 */

const describeIfEtcd = EtcdProcess.isInstalled() ? describe : describe.skip;

interface Cluster {
  leader: string | null;
  nodes: Array<{ id: string; highWatermark: number | null }>;
}

type RequestHeaders = Record<string, string>;

describeIfEtcd('writes: batches, Idempotency-Key, Expected-Offset', () => {
  const dataRoot = mkdtempSync(join(tmpdir(), 'distilled-writes-'));
  const clusterName = `writes-${process.pid}`;
  let build: BuildSnapshot;
  let cluster: LocalCluster;
  let api: ApiClient;

  const start = async () => {
    cluster = await LocalCluster.start({
      serverScript: build.serverScript,
      apiScript: build.apiScript,
      replicas: 3,
      minInsync: 2,
      dataRoot,
      cluster: clusterName,
      apiEnv: { DISTILLED_WRITE_TIMEOUT_MS: '4000' },
    });
    api = new ApiClient(cluster.api!.url);
    await cluster.waitForIsr(['replica-1', 'replica-2', 'replica-3'], 60_000);
    await api.waitReady();
  };

  beforeAll(async () => {
    build = snapshotBuild({ label: 'writes-e2e' });
    await start();
  }, 120_000);

  afterAll(async () => {
    await cluster?.stop();
    build?.remove();
    rmSync(dataRoot, { recursive: true, force: true });
  }, 60_000);

  /** POST with headers (Idempotency-Key, Expected-Offset). */
  function post<T>(
    path: string,
    body: unknown,
    headers: RequestHeaders = {},
  ): Promise<HttpAnswer<T>> {
    return api.request<T>('POST', path, { body: JSON.stringify(body), headers });
  }

  /** Sends until a final answer: 503, 504, 409 and lost connections are retried as they are. */
  function untilFinal<T>(
    send: () => Promise<HttpAnswer<T>>,
    timeoutMs = 60_000,
  ): Promise<HttpAnswer<T>> {
    return eventually(
      'a final answer',
      async () => {
        const answer = await send();
        if ([503, 504, 409].includes(answer.status)) {
          throw new Error(`answered ${answer.status}: ${answer.text}`);
        }
        return answer;
      },
      timeoutMs,
    );
  }

  /** Where the committed log ends (the leader's high watermark). */
  async function logEnd(): Promise<number> {
    const view = (await untilFinal(() => api.request<Cluster>('GET', '/Cluster'))).body;
    return view.nodes.find((node) => node.id === view.leader)?.highWatermark ?? 0;
  }

  /**
   * The committed messages from `from` on, read through the API by Range pages (a few in
   * flight); the array is indexed by offset (nothing below `from`). Each test reads only what it
   * wrote. Pages, not one GET per offset: the batch test writes ~100k messages in a few seconds.
   */
  async function readLog(from: number): Promise<string[]> {
    const end = await logEnd();
    const log: string[] = new Array<string>(end);
    const page = 1000;
    let next = from;
    const reader = async () => {
      while (next < end) {
        const offset = next;
        next = Math.min(end, next + page);
        await readInto(log, offset, next);
      }
    };
    await Promise.all(Array.from({ length: 4 }, reader));
    return log;
  }

  /** Reads [from, to) into `log`, again from `nextOffset` when a page ends early (maxBytes). */
  async function readInto(log: string[], from: number, to: number): Promise<void> {
    for (let offset = from; offset < to;) {
      const answer = await untilFinal(() =>
        api.request<{ messages: Array<{ offset: number; message: string }>; nextOffset: number }>(
          'GET',
          `/Data/Range?offset=${offset}&limit=${to - offset}`,
        ),
      );
      expect(answer.status).toBe(200);
      expect(answer.body.nextOffset).toBeGreaterThan(offset);
      for (const { offset: at, message } of answer.body.messages) log[at] = message;
      offset = answer.body.nextOffset;
    }
  }

  const killLeader = async () => {
    const leader = await cluster.waitForLeader();
    await leader.kill('SIGKILL');
    return leader;
  };

  it('stores a batch at contiguous offsets, whole, among concurrent single writes', async () => {
    const from = await logEnd();
    const batches = Array.from({ length: 20 }, (_, b) =>
      Array.from({ length: 1 + ((b * 37) % 150) }, (_, i) => `whole-${b}-${i}`),
    );
    const answers = await Promise.all([
      ...batches.map((messages) =>
        post<{ firstOffset: number; count: number }>('/Data/Batch', { messages }),
      ),
      ...Array.from({ length: 40 }, (_, i) => post('/Data', { message: `single-${i}` })),
    ]);
    expect(answers.map((answer) => answer.status)).toEqual(answers.map(() => 201));
    const log = await readLog(from);
    batches.forEach((messages, b) => {
      const { firstOffset, count } = answers[b].body as { firstOffset: number; count: number };
      expect(count).toBe(messages.length);
      expect(log.slice(firstOffset, firstOffset + count)).toEqual(messages);
    });
  });

  it('takes the largest batch, 10,000 messages (of 1 KiB), whole', async () => {
    const messages = Array.from({ length: 10_000 }, (_, i) => `${i}-`.padEnd(1024, 'm'));
    // 10 MiB through three fsyncs can outlast the write timeout on a busy machine: retry a
    // 504 with the key, which also proves a large keyed batch is replayed, not stored twice.
    const key = `largest-${randomUUID()}`;
    const answer = await untilFinal(() =>
      post<{ firstOffset: number; count: number }>(
        '/Data/Batch',
        { messages },
        { 'idempotency-key': key },
      ),
    );
    expect(answer.status).toBe(201);
    expect(answer.body.count).toBe(10_000);
    for (const i of [0, 1, 4999, 9999]) {
      expect((await api.read(answer.body.firstOffset + i)).body.message).toBe(messages[i]);
    }
    expect(await logEnd()).toBe(answer.body.firstOffset + 10_000);
  });

  it('refuses a batch with one bad element as a whole, storing nothing', async () => {
    const before = await logEnd();
    const answer = await post<{ errors: Array<{ field: string }> }>('/Data/Batch', {
      messages: ['fine', 'fine too', 7],
    });
    expect(answer.status).toBe(400);
    expect(answer.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(answer.body.errors[0].field).toBe('messages[2]');
    expect(await logEnd()).toBe(before);
  });

  it('keeps every batch in flight when the leader is SIGKILLed wholly readable or wholly absent', async () => {
    const size = 100;
    const from = await logEnd();
    const sent: string[][] = [];
    let stop = false;
    const writer = async (w: number) => {
      for (let b = 0; !stop; b++) {
        const messages = Array.from({ length: size }, (_, i) => `atomic-${w}-${b}-${i}`);
        sent.push(messages);
        // One attempt each, no retry: an unknown outcome stays unknown, and must be all or none.
        await post('/Data/Batch', { messages }).catch(() => undefined);
      }
    };
    const writers = Array.from({ length: 4 }, (_, w) => writer(w));
    await sleep(1500);
    const killed = await killLeader();
    await sleep(4000);
    stop = true;
    await Promise.all(writers);
    await killed.start();
    await cluster.waitForIsr(['replica-1', 'replica-2', 'replica-3'], 60_000);

    const log = await readLog(from);
    const written = log.slice(from);
    const where = new Map(written.map((message, i) => [message, from + i]));
    let whole = 0;
    for (const messages of sent) {
      const first = where.get(messages[0]);
      const found = messages.filter((message) => where.has(message)).length;
      expect([0, size]).toContain(found);
      if (first === undefined) continue;
      whole += 1;
      expect(log.slice(first, first + size)).toEqual(messages);
    }
    expect(whole).toBeGreaterThan(0);
    expect(new Set(written).size).toBe(written.length);
  }, 120_000);

  it('stores each key once while its writers retry through a leader SIGKILL', async () => {
    const from = await logEnd();
    const keys: Array<{ key: string; message: string; offset?: number }> = [];
    let stop = false;
    const writer = async (w: number) => {
      for (let i = 0; !stop; i++) {
        const entry: { key: string; message: string; offset?: number } = {
          key: `kill-${w}-${i}-${randomUUID()}`,
          message: `keyed-${w}-${i}`,
        };
        keys.push(entry);
        const answer = await untilFinal(() =>
          post<{ offset: number }>(
            '/Data',
            { message: entry.message },
            { 'idempotency-key': entry.key },
          ),
        );
        expect(answer.status).toBe(201);
        entry.offset = answer.body.offset;
      }
    };
    const writers = Array.from({ length: 8 }, (_, w) => writer(w));
    await sleep(1000);
    const killed = await killLeader();
    await sleep(3000);
    stop = true;
    await Promise.all(writers);
    await killed.start();

    const log = await readLog(from);
    const written = log.slice(from);
    for (const { message, offset } of keys) {
      const copies = written.filter((stored) => stored === message).length;
      expect({ message, copies }).toEqual({ message, copies: 1 });
      expect(log[offset!]).toBe(message);
    }
  }, 120_000);

  describe('a key is remembered by the log', () => {
    const key = `restart-${randomUUID()}`;
    let first: HttpAnswer<{ firstOffset: number; count: number }>;
    const body = { messages: ['remember', 'me'] };

    beforeAll(async () => {
      first = await untilFinal(() => post('/Data/Batch', body, { 'idempotency-key': key }));
      expect(first.status).toBe(201);
      const again = await post('/Data/Batch', body, { 'idempotency-key': key });
      expect(again.headers.get('idempotent-replayed')).toBe('true');
      expect(again.body).toEqual(first.body);
    });

    const expectReplay = async () => {
      const replay = await untilFinal(() =>
        post<{ firstOffset: number; count: number }>('/Data/Batch', body, {
          'idempotency-key': key,
        }),
      );
      expect(replay.status).toBe(201);
      expect(replay.headers.get('idempotent-replayed')).toBe('true');
      expect(replay.body).toEqual(first.body);
      const other = await untilFinal(() =>
        post('/Data/Batch', { messages: ['other'] }, { 'idempotency-key': key }),
      );
      expect(other.status).toBe(422);
      const log = await readLog(first.body.firstOffset);
      expect(log.slice(first.body.firstOffset).filter((m) => m === 'remember')).toHaveLength(1);
    };

    it('after an API restart', async () => {
      await cluster.api!.restart();
      await api.waitReady();
      await expectReplay();
    }, 60_000);

    it('after a leader failover', async () => {
      const killed = await killLeader();
      await api.waitReady();
      await expectReplay();
      await killed.start();
      await cluster.waitForIsr(['replica-1', 'replica-2', 'replica-3'], 60_000);
    }, 90_000);

    it('after every process was restarted from its disk', async () => {
      await cluster.stop();
      await start();
      await expectReplay();
    }, 120_000);
  });

  it('lets at most one of K writers racing with Expected-Offset win each offset: no hole, no duplicate', async () => {
    const start = await logEnd();
    const rounds = 15;
    const won: Array<{ offset: number; message: string }> = [];
    const writer = async (w: number) => {
      let expected = start;
      for (let i = 0; i < rounds; i++) {
        const message = `race-${w}-${i}`;
        // One key per message: a retry after an unknown outcome is then answered, not repeated.
        const key = `race-${randomUUID()}`;
        for (;;) {
          const answer = await untilFinal(() =>
            post<{ offset: number; nextOffset: number }>(
              '/Data',
              { message },
              { 'expected-offset': String(expected), 'idempotency-key': key },
            ),
          );
          if (answer.status === 201) {
            won.push({ offset: answer.body.offset, message });
            expected = answer.body.offset + 1;
            break;
          }
          expect(answer.status).toBe(412);
          expect(answer.body.nextOffset).toBeGreaterThan(expected);
          expected = answer.body.nextOffset;
        }
      }
    };
    await Promise.all(Array.from({ length: 6 }, (_, w) => writer(w)));
    const log = await readLog(start);
    expect(log.length - start).toBe(won.length);
    expect(won.map((win) => win.offset).sort((a, b) => a - b)).toEqual(
      won.map((_, i) => start + i),
    );
    for (const { offset, message } of won) expect(log[offset]).toBe(message);
  }, 120_000);
});
