/*
 * Throughput and latency of the HTTP API against a local 3-replica cluster, beside a bare
 * Fastify route measured the same way in the same run.
 *
 *   npm run build
 *   npx ts-node -r tsconfig-paths/register --transpile-only test/helpers/api-bench.ts [seconds]
 *
 * 64 keep-alive connections (undici Pool), each with one request in flight at a time.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { Pool } from 'undici';
import { LocalCluster, freePort } from '@distilled/launcher';

interface Result {
  name: string;
  requests: number;
  errors: number;
  seconds: number;
  perSecond: number;
  p50Ms: number;
  p99Ms: number;
}

const CONNECTIONS = 64;

async function load(
  name: string,
  origin: string,
  seconds: number,
  next: () => { method: 'GET' | 'POST'; path: string; body?: string },
): Promise<Result> {
  const pool = new Pool(origin, { connections: CONNECTIONS, pipelining: 1 });
  const latencies: number[] = [];
  let errors = 0;
  const run = async (until: number, record: boolean) => {
    await Promise.all(
      Array.from({ length: CONNECTIONS }, async () => {
        while (Date.now() < until) {
          const { method, path, body } = next();
          const started = process.hrtime.bigint();
          const response = await pool.request({
            method,
            path,
            body,
            headers: body ? { 'content-type': 'application/json' } : {},
          });
          await response.body.dump();
          const ms = Number(process.hrtime.bigint() - started) / 1e6;
          if (!record) continue;
          if (response.statusCode >= 300) errors += 1;
          latencies.push(ms);
        }
      }),
    );
  };
  await run(Date.now() + 1000, false); // warm-up
  const started = Date.now();
  await run(started + seconds * 1000, true);
  const elapsed = (Date.now() - started) / 1000;
  await pool.close();
  latencies.sort((a, b) => a - b);
  const pick = (q: number) =>
    latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))];
  return {
    name,
    requests: latencies.length,
    errors,
    seconds: elapsed,
    perSecond: Math.round(latencies.length / elapsed),
    p50Ms: Number(pick(0.5).toFixed(2)),
    p99Ms: Number(pick(0.99).toFixed(2)),
  };
}

/** A bare Fastify server in its own process, like the API, answering like /Data does. */
async function startBare(port: number) {
  const source = `
    const app = require('fastify')();
    app.post('/bare', async (request, reply) => reply.code(201).send({ offset: 0 }));
    app.get('/bare', async () => ({ message: 'x'.repeat(100), offset: 0 }));
    app.listen({ port: ${port}, host: '127.0.0.1' }).then(() => console.log('ready'));
  `;
  const child = spawn(process.execPath, ['-e', source], { stdio: ['ignore', 'pipe', 'inherit'] });
  await once(child.stdout, 'data');
  return child;
}

async function main(): Promise<void> {
  const seconds = Number(process.argv[2] ?? 10);
  const cluster = await LocalCluster.start({ replicas: 3 });
  const barePort = await freePort();
  const bare = await startBare(barePort);
  try {
    await cluster.waitForIsr(['replica-1', 'replica-2', 'replica-3'], 60_000);
    const api = cluster.api!.url;
    const message = JSON.stringify({ message: 'm'.repeat(100) });
    const results: Result[] = [];
    results.push(
      await load('POST /Data (100 B)', api, seconds, () => ({
        method: 'POST',
        path: '/Data',
        body: message,
      })),
    );
    const written = results[0].requests;
    results.push(
      await load('GET /Data?offset=random', api, seconds, () => ({
        method: 'GET',
        path: `/Data?offset=${Math.floor(Math.random() * written)}`,
      })),
    );
    const bareOrigin = `http://127.0.0.1:${barePort}`;
    results.push(
      await load('bare Fastify POST', bareOrigin, seconds, () => ({
        method: 'POST',
        path: '/bare',
        body: message,
      })),
    );
    results.push(
      await load('bare Fastify GET', bareOrigin, seconds, () => ({ method: 'GET', path: '/bare' })),
    );
    const metrics = await fetch(`${api}/metrics`).then((response) => response.text());
    const batch =
      /distilled_api_append_batch_messages_sum (\S+)[\s\S]*distilled_api_append_batch_messages_count (\S+)/.exec(
        metrics,
      );
    console.table(results);
    if (batch)
      console.log(
        `mean Append batch: ${(Number(batch[1]) / Number(batch[2])).toFixed(1)} messages`,
      );
  } finally {
    bare.kill('SIGTERM');
    await cluster.stop();
  }
}

void main();
