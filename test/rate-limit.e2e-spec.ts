import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { startE2eCluster, type E2eCluster } from './helpers/e2e-cluster';
import { ApiClient, type Problem } from './helpers/api-client';

const GREEDY = 'e2e-greedy-secret-0001';
const STEADY = 'e2e-steady-secret-0002';
const LIMIT = 5;
/** Long enough that LIMIT sequential writes fit one window on a loaded machine. */
const WINDOW_MS = 8_000;

interface RangePage {
  messages: Array<{ offset: number; message: string }>;
  nextOffset: number;
  endOffset: number;
}

// Rate limits against real processes (3 replicas, real etcd): with DISTILLED_API_RATE_LIMIT per
// API key, a key that has used its requests gets 429 problem+json with Retry-After while
// another key still writes; the log holds exactly the accepted writes; after the window the
// first key writes again.
describe('rate limits', () => {
  let cluster: E2eCluster;
  let dir: string;
  let greedy: ApiClient;
  let steady: ApiClient;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'distilled-rate-limit-e2e-'));
    const keysFile = join(dir, 'keys');
    writeFileSync(keysFile, `greedy read,write ${GREEDY}\nsteady read,write ${STEADY}\n`);
    cluster = await startE2eCluster({
      replicas: 3,
      minInsync: 2,
      apiEnv: {
        DISTILLED_API_KEYS_FILE: keysFile,
        DISTILLED_API_RATE_LIMIT: String(LIMIT),
        DISTILLED_API_RATE_LIMIT_WINDOW_MS: String(WINDOW_MS),
      },
    });
    greedy = new ApiClient(cluster.api.baseUrl, { authorization: `Bearer ${GREEDY}` });
    steady = new ApiClient(cluster.api.baseUrl, { authorization: `Bearer ${STEADY}` });
  });
  afterAll(async () => {
    await cluster?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('refuses a key over its limit with 429, lets the other key write, and stores only what it accepted', async () => {
    const accepted: string[] = [];
    const write = async (client: ApiClient, message: string) => {
      const answer = await client.appendAnswer(message);
      if (answer.status === 201) accepted.push(message);
      return answer;
    };

    for (let i = 0; i < LIMIT; i++) {
      const answer = await write(greedy, `greedy ${i}`);
      expect([i, answer.status]).toEqual([i, 201]);
      expect(answer.headers.get('ratelimit-remaining')).toBe(String(LIMIT - 1 - i));
    }
    const refused = await write(greedy, 'greedy over the limit');
    expect(refused.status).toBe(429);
    expect(refused.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    const retryAfter = Number(refused.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(WINDOW_MS / 1000);
    expect(refused.headers.get('ratelimit-limit')).toBe(String(LIMIT));
    expect(refused.headers.get('ratelimit-remaining')).toBe('0');
    expect(refused.body as unknown as Problem).toMatchObject({
      type: 'urn:distilled:problem:rate-limited',
      status: 429,
      detail: expect.stringMatching(/^The API key "greedy" may make 5 requests per 8 s/),
    });
    // A batch too: refused whole, before its body is looked at.
    const batch = await greedy.request('POST', '/Data/Batch', {
      body: JSON.stringify({ messages: ['greedy batch a', 'greedy batch b'] }),
    });
    expect(batch.status).toBe(429);

    // The other key has its own budget.
    for (let i = 0; i < LIMIT; i++) {
      expect((await write(steady, `steady ${i}`)).status).toBe(201);
    }

    // After the window (Retry-After says when), the first key writes again.
    await sleep(retryAfter * 1000 + 200);
    expect((await write(greedy, 'greedy after the window')).status).toBe(201);

    // The log holds exactly the accepted writes, in acceptance order per key.
    const page = await steady.request<RangePage>('GET', '/Data/Range?offset=0&limit=1000');
    expect(page.status).toBe(200);
    expect(page.body.messages.map((entry) => entry.message).sort()).toEqual([...accepted].sort());
    expect(page.body.endOffset).toBe(accepted.length);
  });

  it('keeps /health open to a client whose key is over its limit', async () => {
    for (let i = 0; i <= LIMIT; i++) await greedy.request('GET', '/Cluster');
    expect((await greedy.request('GET', '/Cluster')).status).toBe(429);
    expect((await greedy.request('GET', '/health/ready')).status).toBe(200);
  });
});
