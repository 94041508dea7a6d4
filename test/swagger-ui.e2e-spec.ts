import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Locator, Page } from 'playwright-core';
import { startE2eCluster, type E2eCluster } from './helpers/e2e-cluster';
import { launchChromium } from './helpers/chromium';

// Suite 7: a person with a browser. Swagger UI at /docs must let them append a message with
// "Try it out" and read it back the same way. Debian's Chromium, driven by playwright-core.
const artifacts = join(__dirname, 'artifacts');

describe('Swagger UI in a real browser', () => {
  let cluster: E2eCluster;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    cluster = await startE2eCluster({ replicas: 3, minInsync: 2 });
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 1600 } });
  });
  afterAll(async () => {
    await browser?.close();
    await cluster?.stop();
  });

  /** Opens an operation and its request editor (the UI may already show the editor). */
  async function tryItOut(operation: Locator): Promise<void> {
    await operation.locator('.opblock-summary').first().click();
    const execute = operation.getByRole('button', { name: 'Execute' });
    const tryButton = operation.getByRole('button', { name: 'Try it out' });
    await execute.or(tryButton).first().waitFor({ timeout: 15_000 });
    if (await tryButton.isVisible()) await tryButton.click();
    await execute.waitFor({ timeout: 15_000 });
  }

  it('appends with "Try it out" on POST /Data and reads the message back with GET /Data', async () => {
    mkdirSync(artifacts, { recursive: true });
    const message = `hello from a browser ${Date.now()}`;
    try {
      await page.goto(`${cluster.api.baseUrl}/docs`);
      const post = page.locator('.opblock-post:has(.opblock-summary-path[data-path="/Data"])');
      await post.waitFor({ timeout: 15_000 });
      await tryItOut(post);
      await post.locator('textarea.body-param__text').fill(JSON.stringify({ message }));
      await post.getByRole('button', { name: 'Execute' }).click();
      const postBody = post.locator('.live-responses-table .response-col_description pre').first();
      await postBody.waitFor({ timeout: 15_000 });
      const { offset } = JSON.parse(await postBody.innerText()) as { offset: number };
      expect(Number.isSafeInteger(offset)).toBe(true);

      const get = page.locator('.opblock-get:has(.opblock-summary-path[data-path="/Data"])');
      await tryItOut(get);
      await get.locator('input[placeholder="offset"]').fill(String(offset));
      await get.getByRole('button', { name: 'Execute' }).click();
      const getBody = get.locator('.live-responses-table .response-col_description pre').first();
      await getBody.waitFor({ timeout: 15_000 });
      expect(JSON.parse(await getBody.innerText())).toEqual({ message, offset });
    } finally {
      await page.screenshot({ path: join(artifacts, 'swagger-try-it-out.png'), fullPage: true });
    }
  });
});
