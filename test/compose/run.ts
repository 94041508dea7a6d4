/**
 * `npm run test:compose`: the README's Docker path, proven on every CI run. Under
 * scripts/docker-engine.sh (which provides the engine and removes a private one afterwards):
 * prepares the images, `docker-compose up --scale distilled-server=3`, runs the e2e suites that
 * need no process control against it (DISTILLED_E2E_URL), then the Docker-driven fault suite
 * (docker-faults.compose-spec.ts), and always `docker-compose down -v`. A failure prints every
 * container's last log lines. Every step has a time limit, so a failure ends the run quickly.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApiClient } from '../helpers/api-client';
import { Compose, ROOT } from './docker';
import { imageSizes, prepareImages, type TestImages } from './images';

const PROJECT = 'distilled-compose-test';
const APP_TAG = 'distilled:compose-test';
const REPLICAS = 3;
/** Set from the shell as a user would (`DISTILLED_MIN_INSYNC=2 docker-compose up ...`). */
const MIN_INSYNC = '2';

const timings: [string, number][] = [];
let current: ChildProcess | undefined;
let compose: Compose | undefined;

async function step<T>(name: string, body: () => Promise<T>): Promise<T> {
  console.log(`\n=== compose test: ${name}`);
  const start = Date.now();
  try {
    return await body();
  } finally {
    timings.push([name, Date.now() - start]);
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** Jest with one config, in the foreground, killed if it runs past `timeoutMs`. */
function jest(config: string, env: NodeJS.ProcessEnv, timeoutMs: number): Promise<void> {
  const bin = require.resolve('jest/bin/jest', { paths: [ROOT] });
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, '--config', config, '--runInBand'], {
      cwd: ROOT,
      env: { ...process.env, ...env },
      stdio: 'inherit',
    });
    current = child;
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      current = undefined;
      if (code === 0) resolve();
      else
        reject(
          new Error(
            `jest ${config} failed (${code ?? signal}${signal ? `, limit ${timeoutMs} ms` : ''})`,
          ),
        );
    });
  });
}

/** Every replica and the API report healthy: the image's HEALTHCHECK means ready. */
async function waitHealthy(project: Compose, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let states = '';
  while (Date.now() < deadline) {
    const containers = [
      ...(await project.containers('distilled-server')),
      ...(await project.containers('distilled-api')),
    ];
    states = containers
      .map((c) => `${c.Name}: ${c.State.Health?.Status ?? 'no health'}`)
      .join(', ');
    if (
      containers.length === REPLICAS + 1 &&
      containers.every((c) => c.State.Health?.Status === 'healthy')
    ) {
      return;
    }
    await new Promise((r) => setTimeout(r, 1000));
  }
  throw new Error(`containers not healthy within ${timeoutMs} ms: ${states}`);
}

async function tearDown(images: TestImages | undefined): Promise<void> {
  if (!compose) return;
  const project = compose;
  compose = undefined;
  await step('docker-compose down -v', async () => {
    await project.run(['down', '--volumes', '--remove-orphans', '--timeout', '15'], {
      timeoutMs: 120_000,
    });
    const left = (await project.run(['ps', '--all', '-q'])).trim();
    if (left) throw new Error(`containers left after down: ${left}`);
  });
  if (images && process.env.DISTILLED_DOCKER_ENGINE !== 'private') {
    // A user's engine keeps them, so the next run reuses them; they go with `docker image rm`.
    console.log(
      `  images kept on this engine: ${[images.app, images.node, images.etcd].join(', ')}`,
    );
  }
}

async function main(): Promise<void> {
  // A fetch through docker-proxy to a container not yet listening can stay pending without
  // holding the event loop; Node would then exit mid-run with status 0. This keeps it alive
  // so the fetch's own timeout fires.
  const keepAlive = setInterval(() => undefined, 1000);
  const reportDir = mkdtempSync(join(tmpdir(), 'distilled-compose-report-'));
  const report = join(reportDir, 'figures.txt');
  let images: TestImages | undefined;
  let failure: unknown;
  try {
    images = await step('images', () => prepareImages(APP_TAG));
    console.log(await imageSizes(images));
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    compose = new Compose(PROJECT, {
      DISTILLED_IMAGE: images.app,
      DISTILLED_NODE_IMAGE: images.node,
      DISTILLED_ETCD_IMAGE: images.etcd,
      DISTILLED_PUBLISH: `127.0.0.1:${port}`,
      DISTILLED_MIN_INSYNC: MIN_INSYNC,
    });
    const project = compose;
    // A run killed on a user's engine may have left the project behind.
    await project.run(['down', '--volumes', '--remove-orphans'], { timeoutMs: 120_000 });

    await step(`docker-compose up --scale distilled-server=${REPLICAS}`, async () => {
      await project.run(['up', '-d', '--no-build', '--scale', `distilled-server=${REPLICAS}`], {
        timeoutMs: 180_000,
        echo: true,
      });
      const api = new ApiClient(url);
      await api.waitReady(90_000);
      await api.waitForCluster(
        `${REPLICAS} replicas in sync`,
        (view) => view.nodes.length === REPLICAS && view.nodes.every((n) => n.inSync),
        90_000,
      );
      await waitHealthy(project, 120_000);
    });

    const env = {
      ...project.env,
      DISTILLED_E2E_URL: url,
      DISTILLED_COMPOSE_PROJECT: PROJECT,
      DISTILLED_COMPOSE_REPORT: report,
    };
    await step('e2e suites against the composed cluster', () =>
      jest('test/jest-e2e.config.js', env, 8 * 60_000),
    );
    await step('Docker-driven faults', () => jest('test/compose/jest.config.js', env, 8 * 60_000));
  } catch (error) {
    failure = error;
    console.error(
      `\ncompose test FAILED: ${error instanceof Error ? error.message : String(error)}`,
    );
    if (compose) {
      console.error('\n--- last log lines of every container ---');
      console.error(await compose.logs(60).catch((e: Error) => `(no logs: ${e.message})`));
      console.error(await compose.run(['ps', '--all']).catch(() => ''));
    }
  } finally {
    await tearDown(images).catch((error: Error) => {
      failure ??= error;
      console.error(`teardown failed: ${error.message}`);
    });
  }
  console.log('\n=== compose test: summary');
  for (const [name, ms] of timings)
    console.log(`  ${(ms / 1000).toFixed(1).padStart(6)} s  ${name}`);
  try {
    console.log(readFileSync(report, 'utf8'));
  } catch {
    // the fault suite did not get far enough to measure anything
  }
  rmSync(reportDir, { recursive: true, force: true });
  clearInterval(keepAlive);
  if (failure) process.exit(1);
}

// Ctrl-C or the engine script's time limit: stop jest, take the project down, then leave.
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    console.error(`\ncompose test: ${signal}, taking the project down`);
    current?.kill('SIGKILL');
    void tearDown(undefined).finally(() => process.exit(130));
  });
}

void main();
