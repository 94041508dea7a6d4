import type { Browser, Page } from 'playwright-core';
import { ApiClient } from './helpers/api-client';
import { startE2eCluster, type E2eCluster } from './helpers/e2e-cluster';
import { launchChromium } from './helpers/chromium';

// A person with a browser follows the log with the browser's own EventSource: events arrive as
// messages are committed, and when the API restarts the browser reconnects by itself (the
// `retry` field) with Last-Event-ID and the stream goes on without a gap or a repeat.
describe('GET /Data/Stream in a real browser (EventSource)', () => {
  let cluster: E2eCluster;
  let api: ApiClient;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    cluster = await startE2eCluster({ replicas: 3, minInsync: 2 });
    api = new ApiClient(cluster.api.baseUrl);
    browser = await launchChromium();
    page = await browser.newPage();
  });
  afterAll(async () => {
    await browser?.close();
    await cluster?.stop();
  });

  /** What the page's EventSource has received so far. */
  const received = () =>
    page.evaluate(
      () =>
        (window as unknown as { received: Array<{ id: string; offset: number; message: string }> })
          .received,
    );

  async function until(what: string, check: () => Promise<boolean>, ms = 20_000): Promise<void> {
    const deadline = Date.now() + ms;
    while (!(await check())) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  it('receives every committed message in order, and resumes by itself after an API restart', async () => {
    for (let i = 0; i < 5; i++) await api.appendAnswer(`before ${i}`);
    // Same origin as the stream: the page is the API's own Swagger UI.
    await page.goto(`${cluster.api.baseUrl}/docs`);
    await page.evaluate(() => {
      const w = window as unknown as { received: unknown[]; opens: number };
      w.received = [];
      w.opens = 0;
      const source = new EventSource('/Data/Stream?offset=0');
      source.addEventListener('open', () => (w.opens += 1));
      source.addEventListener('message', (event) => {
        const data = JSON.parse(event.data) as { offset: number; message: string };
        w.received.push({ id: event.lastEventId, ...data });
      });
    });
    await until('the first 5 events', async () => (await received()).length >= 5);
    for (let i = 0; i < 5; i++) await api.appendAnswer(`live ${i}`);
    await until('10 events', async () => (await received()).length >= 10);

    const local = cluster.local;
    if (local) {
      await local.api!.kill('SIGKILL');
      await local.api!.start();
      await cluster.api.waitReady(30_000);
      for (let i = 0; i < 5; i++) await api.appendAnswer(`after restart ${i}`);
      await until('15 events', async () => (await received()).length >= 15, 30_000);
      expect(
        await page.evaluate(() => (window as unknown as { opens: number }).opens),
      ).toBeGreaterThanOrEqual(2);
    }

    const events = await received();
    expect(events.map((e) => e.offset)).toEqual(events.map((_, i) => i));
    expect(events.every((e) => e.id === String(e.offset))).toBe(true);
    expect(events.slice(0, 10).map((e) => e.message)).toEqual([
      ...Array.from({ length: 5 }, (_, i) => `before ${i}`),
      ...Array.from({ length: 5 }, (_, i) => `live ${i}`),
    ]);
    if (local) {
      expect(events.slice(10, 15).map((e) => e.message)).toEqual(
        Array.from({ length: 5 }, (_, i) => `after restart ${i}`),
      );
    }
  });
});
