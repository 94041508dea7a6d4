import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { dumpOutput, startE2eCluster, type E2eCluster } from './helpers/e2e-cluster';
import { startWriters } from './helpers/writers';
import { launchChromium } from './helpers/chromium';

// The live console at /ui in a real browser against a real cluster: it names every replica and
// the leader, shows a killed replica leave the ISR within 5 s and come back, shows a new leader
// and why the old one went, and its chart moves with writes. Debian's Chromium, driven by
// playwright-core as in the Swagger UI suite. Screenshots go to test/artifacts/.
const artifacts = join(__dirname, 'artifacts');

describe('console in a real browser', () => {
  let cluster: E2eCluster;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    mkdirSync(artifacts, { recursive: true });
    cluster = await startE2eCluster({ replicas: 3, minInsync: 2 });
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
  });
  afterAll(async () => {
    await browser?.close();
    await cluster?.stop();
  });

  const replicaRow = (id: string, inSync: boolean): string =>
    `[data-replica="${id}"][data-in-sync="${inSync}"]`;

  async function shoot(name: string): Promise<void> {
    await page.screenshot({ path: join(artifacts, `console-${name}.png`), fullPage: true });
  }

  it('names the three replicas, all in sync, and the leader', async () => {
    const local = cluster.local!;
    const leader = await local.waitForLeader();
    try {
      const response = await page.goto(`${cluster.api.baseUrl}/ui`);
      expect(response?.status()).toBe(200);
      await page.locator('[data-testid="connection"]', { hasText: 'Live' }).waitFor();
      for (const replica of local.replicas) {
        await page.locator(replicaRow(replica.id, true)).waitFor({ timeout: 10_000 });
      }
      expect(await page.locator('[data-replica]').count()).toBe(3);
      await page
        .locator(`[data-replica="${leader.id}"][data-role="leader"]`)
        .waitFor({ timeout: 10_000 });
      expect(await page.getByTestId('leader').innerText()).toContain(leader.id);
      await page.getByText('No problems').waitFor();
    } finally {
      await shoot('healthy');
    }
  });

  it('shows a killed replica leave the ISR within 5 s, as a sentence, and come back after a restart', async () => {
    const local = cluster.local!;
    const leader = await local.waitForLeader();
    const follower = local.runningReplicas.find((replica) => replica.id !== leader.id)!;
    try {
      const killedAt = Date.now();
      await follower.kill('SIGKILL');
      await page.locator(replicaRow(follower.id, false)).waitFor({ timeout: 5_000 });
      const seenAfterMs = Date.now() - killedAt;
      process.stdout.write(
        `console: ${follower.id} shown out of the ISR ${seenAfterMs} ms after SIGKILL\n`,
      );
      expect(seenAfterMs).toBeLessThan(5_000);
      const problem = page.locator(`[data-problem$=":${follower.id}"]`).first();
      await problem.waitFor({ timeout: 5_000 });
      expect(await problem.innerText()).toMatch(new RegExp(`${follower.id} (has|is)`));
      await shoot('replica-killed');

      await follower.start();
      await page.locator(replicaRow(follower.id, true)).waitFor({ timeout: 30_000 });
      await page.getByText('No problems').waitFor({ timeout: 10_000 });
    } catch (error) {
      dumpOutput(local);
      throw error;
    }
  });

  it('shows the new leader and why the old one went, with writes made meanwhile on the chart', async () => {
    const local = cluster.local!;
    const oldLeader = await local.waitForLeader();
    await local.waitForIsr(local.replicas.map((replica) => replica.id));
    const writers = startWriters(cluster.api, { workers: 2, prefix: 'console', pauseMs: 20 });
    try {
      await new Promise((resolve) => setTimeout(resolve, 1500));
      await oldLeader.kill('SIGKILL');
      const change = page.locator(`[data-testid="leader-change"]`).first();
      await page.waitForFunction(
        (old) => {
          const text = document.querySelector('[data-testid="leader"]')?.textContent ?? '';
          return /Leader \S+/.test(text) && !text.includes(old);
        },
        oldLeader.id,
        { timeout: 20_000 },
      );
      await change.waitFor();
      // Its election may end before its lease expires: the reason follows within seconds.
      await page
        .locator('[data-testid="leader-change"][data-reason="left-membership"]')
        .first()
        .waitFor({ timeout: 10_000 });
      expect(await change.getAttribute('data-reason')).toBe('left-membership');
      expect(await change.innerText()).toContain(`${oldLeader.id} →`);
      const newLeader = await local.waitForLeader(15_000);
      expect(await page.getByTestId('leader').innerText()).toContain(newLeader.id);
      expect(await change.innerText()).toContain(`→ ${newLeader.id}`);

      await new Promise((resolve) => setTimeout(resolve, 2000));
      const run = await writers.stop();
      expect(run.acked().length).toBeGreaterThan(0);
      await page.waitForFunction(
        () =>
          Number(
            document.querySelector('[data-testid="traffic"]')?.getAttribute('data-peak-writes'),
          ) > 0,
        undefined,
        { timeout: 10_000 },
      );
      await page.locator('[data-testid="tail"] li').first().waitFor({ timeout: 10_000 });
      expect(await page.getByTestId('tail').innerText()).toContain('console-');
      await shoot('leader-changed');
      await page.setViewportSize({ width: 390, height: 844 });
      await shoot('phone');
      const overflow = await page.evaluate(
        () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
      );
      expect(overflow).toBeLessThanOrEqual(0);
    } catch (error) {
      await writers.stop();
      dumpOutput(local);
      throw error;
    }
  });
});
