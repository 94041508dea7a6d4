import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startE2eCluster, type E2eCluster } from './helpers/e2e-cluster';
import { ApiClient, type Problem } from './helpers/api-client';
import { launchChromium } from './helpers/chromium';

const READER = 'e2e-reader-secret-0001';
const WRITER = 'e2e-writer-secret-0002';
const CLI = join(__dirname, '..', 'scripts', 'distilled.js');

// API keys against real processes: the API started with DISTILLED_API_KEYS_FILE refuses every
// data call without the right key (401/403 problem+json), stores nothing for a refused write,
// keeps /health and /docs open, never shows a secret, and the CLI sends DISTILLED_API_KEY.
describe('API keys', () => {
  let cluster: E2eCluster;
  let dir: string;
  let reader: ApiClient;
  let writer: ApiClient;
  let anonymous: ApiClient;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'distilled-keys-e2e-'));
    const keysFile = join(dir, 'keys');
    writeFileSync(keysFile, `# e2e\nreader read ${READER}\nwriter read,write ${WRITER}\n`);
    cluster = await startE2eCluster({
      replicas: 3,
      minInsync: 2,
      apiEnv: { DISTILLED_API_KEYS_FILE: keysFile },
    });
    anonymous = cluster.api;
    reader = new ApiClient(anonymous.baseUrl, { authorization: `Bearer ${READER}` });
    writer = new ApiClient(anonymous.baseUrl, { authorization: `Bearer ${WRITER}` });
    await writer.append('before the refusals');
  });
  afterAll(async () => {
    await cluster?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  async function logEnd(): Promise<number> {
    return (await reader.cluster()).nodes.find((node) => node.role === 'leader')!.logEndOffset;
  }

  it.each<[string, 'anonymous' | 'reader' | 'unknown', string, string, number]>([
    ['POST /Data without a key', 'anonymous', 'POST', '/Data', 401],
    ['POST /Data with an unknown key', 'unknown', 'POST', '/Data', 401],
    ['POST /Data with a read-only key', 'reader', 'POST', '/Data', 403],
    ['GET /Data without a key', 'anonymous', 'GET', '/Data?offset=0', 401],
    ['GET /Cluster without a key', 'anonymous', 'GET', '/Cluster', 401],
    ['GET /metrics without a key', 'anonymous', 'GET', '/metrics', 401],
  ])(
    '%s (%s): refused with problem+json, nothing stored',
    async (_name, who, method, path, status) => {
      const endBefore = await logEnd();
      const client =
        who === 'reader'
          ? reader
          : who === 'unknown'
            ? new ApiClient(anonymous.baseUrl, { authorization: 'Bearer not-a-key-at-all-9999' })
            : anonymous;
      const answer = await client.request<Problem>(method, path, {
        body: method === 'POST' ? JSON.stringify({ message: 'refused' }) : undefined,
      });
      expect(answer.status).toBe(status);
      expect(answer.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(answer.headers.get('www-authenticate')).toMatch(/^Bearer /);
      expect(answer.body).toMatchObject({
        status,
        type: expect.any(String),
        detail: expect.any(String),
      });
      expect(JSON.stringify(answer.body)).not.toMatch(/secret|not-a-key/);
      expect(await logEnd()).toBe(endBefore);
    },
  );

  it('lets a key do what its scopes allow', async () => {
    const offset = await writer.append('with a key');
    expect((await reader.read(offset)).body).toEqual({ message: 'with a key', offset });
    expect((await reader.request('GET', '/metrics')).status).toBe(200);
  });

  it('keeps /health, /health/ready, /docs and /docs-json open', async () => {
    for (const path of ['/health', '/health/ready', '/docs', '/docs-json']) {
      expect([path, (await anonymous.request('GET', path)).status]).toEqual([path, 200]);
    }
    const document = (
      await anonymous.request<{ components: { securitySchemes: object } }>('GET', '/docs-json')
    ).body;
    expect(document.components.securitySchemes).toHaveProperty('apiKey');
  });

  it("opens the console's page but asks a read key for its feed", async () => {
    expect((await anonymous.request('GET', '/ui')).status).toBe(200);
    const denied = await anonymous.request('GET', '/ui/events', { timeoutMs: 5_000 });
    expect(denied.status).toBe(401);
    expect(denied.headers.get('content-type')).toContain('application/problem+json');
    const controller = new AbortController();
    const allowed = await fetch(`${anonymous.baseUrl}/ui/events`, {
      headers: { authorization: `Bearer ${READER}` },
      signal: controller.signal,
    });
    expect(allowed.status).toBe(200);
    controller.abort();
  });

  it('never writes a secret to its output, and says keys are on', () => {
    const output = cluster.local!.api!.output.snapshot().join('\n');
    expect(output).toMatch(/API keys on: 2 from .*keys \(reader: read; writer: read,write\)/);
    expect(output).not.toContain(READER);
    expect(output).not.toContain(WRITER);
  });

  it('the CLI sends DISTILLED_API_KEY, and says why without one', () => {
    const run = (key: string | undefined) =>
      spawnSync(process.execPath, [CLI, 'produce', '--api', anonymous.baseUrl, 'from the CLI'], {
        encoding: 'utf8',
        env: { ...process.env, DISTILLED_API_KEY: key, NO_COLOR: '1' },
        timeout: 60_000,
      });
    const refused = run(undefined);
    expect(refused.status).not.toBe(0);
    expect(refused.stderr).toMatch(/401 Unauthorized: This call needs an API key/);
    const done = run(WRITER);
    expect(done.stderr).toBe('');
    expect(done.stdout).toMatch(/^\d+\tfrom the CLI\n$/);
  });

  it("Swagger UI's Authorize button sends the key with Try it out", async () => {
    const browser = await launchChromium();
    try {
      const page = await browser.newPage({ viewport: { width: 1280, height: 1600 } });
      await page.goto(`${anonymous.baseUrl}/docs`);
      await page.locator('button.authorize').first().click();
      await page.locator('.modal-ux input').first().fill(WRITER);
      await page.locator('.modal-ux button.authorize').click();
      await page.locator('.modal-ux button.btn-done').click();
      const post = page.locator('.opblock-post:has(.opblock-summary-path[data-path="/Data"])');
      await post.locator('.opblock-summary').first().click();
      const execute = post.getByRole('button', { name: 'Execute' });
      const tryButton = post.getByRole('button', { name: 'Try it out' });
      await execute.or(tryButton).first().waitFor({ timeout: 15_000 });
      if (await tryButton.isVisible()) await tryButton.click();
      await post
        .locator('textarea.body-param__text')
        .fill(JSON.stringify({ message: 'from Swagger UI' }));
      await execute.click();
      const body = post.locator('.live-responses-table .response-col_description pre').first();
      await body.waitFor({ timeout: 15_000 });
      const { offset } = JSON.parse(await body.innerText()) as { offset: number };
      expect((await reader.read(offset)).body).toEqual({ message: 'from Swagger UI', offset });
    } finally {
      await browser.close();
    }
  });
});
