/**
 * What an Idempotency-Key costs each process (`npm run bench -- keyed-cycle`): single POST /Data
 * of 100 B from `--concurrency` (64) closed-loop clients on one fresh cluster (3 replicas, min
 * in-sync 2, fsync always), warmed up, then measured windows alternating plain and keyed POSTs
 * (`--phases plain,key,plain,key`). Per window and per process (API, leader, followers) it prints
 * CPU µs per POST from /proc, which hardly depends on how busy the shared host is, so builds can be
 * compared (`--dist`, interleaved) where POST/s cannot. `--profile` keeps a V8 CPU profile of each
 * window of each process (`w<i>-<phase>.<pid>.cpuprofile`): the suite's writes section mixes both
 * cases in one profile, this keeps them apart, under the same load.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import * as os from 'node:os';
import { join } from 'node:path';
import { Client } from 'undici';
import { repoRoot } from '@distilled/launcher';
import { Args } from './lib/args';
import { BenchCluster, standardCluster } from './lib/cluster';
import { fmtInt } from './lib/stats';

const TICKS_PER_SECOND = 100; // USER_HZ

function cpuTicks(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]);
}

function hostTicks(): number {
  return os.cpus().reduce((s, c) => s + c.times.user + c.times.sys + c.times.irq, 0);
}

export async function run(argv: string[]): Promise<void> {
  const args = new Args(argv);
  const concurrency = Math.max(1, Math.round(args.number('concurrency', 64)));
  const warmS = args.number('warmup', 6);
  const seconds = args.number('duration', 5);
  const phases = args
    .string('phases', 'plain,key,plain,key')
    .split(',')
    .map((p) => p.trim());
  if (phases.some((p) => p !== 'plain' && p !== 'key')) {
    throw new Error(`--phases takes plain and key (got ${phases.join(',')})`);
  }
  const profileDir = args.has('profile')
    ? join(repoRoot(), 'bench', 'results', 'profiles', `keyed-cycle-${Date.now()}`)
    : undefined;
  const bench = await BenchCluster.start({ ...standardCluster(args), profileDir });
  try {
    const api = bench.cluster.api!;
    const body = JSON.stringify({ message: 'x'.repeat(100) });
    const clients = Array.from(
      { length: concurrency },
      () => new Client(api.url, { pipelining: 1, keepAliveTimeout: 60_000 }),
    );
    let keyed = phases[0] === 'key';
    let stop = false;
    let acked = 0;
    const writer = async (client: Client) => {
      while (!stop) {
        const headers: Record<string, string> = {
          ...bench.apiHeaders,
          'content-type': 'application/json',
        };
        if (keyed) headers['idempotency-key'] = randomUUID();
        const res = await client.request({ path: '/Data', method: 'POST', headers, body });
        const text = await res.body.text();
        if (res.statusCode !== 201) throw new Error(`${res.statusCode} ${text}`);
        acked += 1;
      }
    };
    const running = clients.map(writer);
    const { pids } = await bench.pids();
    const labels = ['api', 'L', 'F1', 'F2'].filter((l) => pids[l]);
    console.log(
      `\n### Keyed cycle: C=${concurrency} single POSTs of 100 B, ${warmS}s warm-up, ${seconds}s windows${args.has('note') ? `; ${args.string('note', '')}` : ''}\n`,
    );
    console.log(
      `| phase | POST/s | ${labels.map((l) => `${l} µs/POST`).join(' | ')} | replicas µs/POST | gen µs/POST | load | other % |`,
    );
    console.log(
      `| --- | ---: | ${labels.map(() => '---:').join(' | ')} | ---: | ---: | --- | ---: |`,
    );
    for (const [index, phase] of phases.entries()) {
      keyed = phase === 'key';
      // The first window warms up; later ones let the switch settle for a second.
      await new Promise((r) => setTimeout(r, (index === 0 ? warmS : 1) * 1000));
      await bench.resetProfiles();
      const before = labels.map((l) => cpuTicks(pids[l]!));
      const host0 = hostTicks();
      const self0 = process.cpuUsage();
      const acked0 = acked;
      const started = performance.now();
      await new Promise((r) => setTimeout(r, seconds * 1000));
      const elapsed = (performance.now() - started) / 1000;
      const posts = acked - acked0;
      const after = labels.map((l) => cpuTicks(pids[l]!));
      const leaderNow = (await bench.pids()).pids.L;
      await bench.saveProfiles(`w${index}-${phase}`);
      const hostS = (hostTicks() - host0) / 1000;
      const self = process.cpuUsage(self0);
      const genS = (self.user + self.system) / 1e6;
      const perPost = labels.map(
        (_l, i) => ((after[i] - before[i]) / TICKS_PER_SECOND / Math.max(1, posts)) * 1e6,
      );
      const oursS =
        genS + labels.reduce((s, _l, i) => s + (after[i] - before[i]) / TICKS_PER_SECOND, 0);
      const replicas = perPost.slice(1).reduce((s, v) => s + v, 0);
      console.log(
        `| ${phase} | ${fmtInt(posts / elapsed)} | ${perPost.map((v) => v.toFixed(1)).join(' | ')} | ${replicas.toFixed(1)}${leaderNow === pids.L ? '' : ' (leader changed)'} | ${((genS / Math.max(1, posts)) * 1e6).toFixed(1)} | ${os
          .loadavg()
          .map((l) => l.toFixed(1))
          .join(' ')} | ${(((hostS - oursS) / elapsed) * 100).toFixed(0)} |`,
      );
    }
    stop = true;
    await Promise.allSettled(running);
    await Promise.all(clients.map((c) => c.close()));
    if (profileDir) {
      const who = labels.map((l) => `${l} = ${pids[l]}`).join(', ');
      console.log(`\nProfiles of each window: ${profileDir} (${who})`);
    }
  } finally {
    await bench.stop();
  }
}
