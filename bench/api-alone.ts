/**
 * The HTTP API's own cost, without replicas (`npm run bench -- api`): POST /Data at C workers
 * against the real API wiring whose gateway commits every batch after 1 ms from memory
 * (bench/lib/api-alone-server.ts, its own process). Prints ops/s and the API's and load
 * generator's CPU per POST for each round. Use it to A/B a change to the API: run both builds
 * alternately several times (single rounds on a shared 2-core machine vary by ±10%). The API runs
 * under ts-node here, which loads Node's `domain` (through `repl`) and so slows every
 * EventEmitter a little: absolute figures are a few % worse than the built API's.
 *
 * `--api-keys` runs the API with 10 API keys and sends one of them (the cost of the key check).
 *
 *   npm run bench -- api [--rounds 3 --duration 3 --warmup 1.5 --concurrency 64 --size 100]
 *                        [--api-keys]
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { Args } from './lib/args';
import { closedLoop } from './lib/closed-loop';
import { fmtInt } from './lib/stats';
import { benchAuthHeaders } from './lib/bench-keys';
import { HttpWorkers, OffsetRange } from './lib/targets';

export async function run(argv: string[]): Promise<void> {
  const args = new Args(argv);
  const rounds = Math.max(1, Math.round(args.number('rounds', 3)));
  const durationMs = args.number('duration', 3) * 1000;
  const warmupMs = args.number('warmup', 1.5) * 1000;
  const concurrency = Math.round(args.number('concurrency', 64));
  const size = Math.round(args.number('size', 100));
  const apiKeys = args.has('api-keys');
  const child = spawn(
    process.execPath,
    [
      '-r',
      'ts-node/register/transpile-only',
      '-r',
      'tsconfig-paths/register',
      join(__dirname, 'lib', 'api-alone-server.ts'),
    ],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
      env: { ...process.env, BENCH_API_KEYS: apiKeys ? 'on' : '' },
    },
  );
  try {
    const line = await new Promise<string>((resolve, reject) => {
      createInterface({ input: child.stdout! }).once('line', resolve);
      child.once('exit', (code) => reject(new Error(`the API exited (code ${code})`)));
    });
    const { url } = JSON.parse(line) as { url: string };
    console.log(`| round | POST/s | p50 ms | API µs per POST | generator µs per POST | errors |`);
    console.log(`| ---: | ---: | ---: | ---: | ---: | ---: |`);
    for (let round = 1; round <= rounds; round++) {
      const workers = new HttpWorkers(url, concurrency, benchAuthHeaders(apiKeys));
      const r = await closedLoop({
        concurrency,
        warmupMs,
        durationMs,
        pids: { api: child.pid! },
        op: workers.append(size, new OffsetRange()),
      });
      await workers.close();
      const perOp = (share: number) => ((share / r.opsPerSec) * 1e6).toFixed(1);
      console.log(
        `| ${round} | ${fmtInt(r.opsPerSec)} | ${r.p50Ms.toFixed(2)} | ${perOp(r.cpu.api)} | ${perOp(r.cpu.gen)} | ${r.errors} |`,
      );
    }
  } finally {
    child.kill('SIGTERM');
  }
}
