/**
 * Memory of a replica as its log grows: RSS of every replica (and of the leader) at the start,
 * after 1 million and after 10 million 100-byte messages, and after a few seconds of random
 * reads over the whole log. Messages go straight to the leader's gRPC Append in batches (so
 * the run takes about a minute, not the 10 minutes single-message appends would), on a
 * 3-replica cluster with MIN_INSYNC=2 and fsync always. Bounded by --max-seconds: when time
 * runs out it reports what it reached.
 *
 *   npm run bench -- memory [--messages 1m,10m] [--size 100] [--batch 1000] [--concurrency 8]
 *                           [--max-seconds 600] [--replicas 3] [--min-insync 2] [--verbose]
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '@distilled/launcher';
import { ReplicaClient } from '@distilled/proto';
import { Args } from './lib/args';
import { BenchCluster } from './lib/cluster';
import { rssBytes } from './lib/proc';
import { fmtBytes, fmtInt } from './lib/stats';

/** 1m -> 1,000,000; 250k -> 250,000 (decimal, these are message counts). */
function parseCount(raw: string): number {
  const match = /^(\d+(?:\.\d+)?)([km]?)$/i.exec(raw.trim());
  if (!match) throw new Error(`not a count: ${raw}`);
  const factor = { '': 1, k: 1e3, m: 1e6 }[match[2].toLowerCase() as '' | 'k' | 'm'];
  return Math.round(Number(match[1]) * factor);
}

/** VmHWM: the peak RSS of `pid` so far, bytes. */
function peakRss(pid: number): number {
  try {
    const match = /^VmHWM:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) * 1024 : NaN;
  } catch {
    return NaN;
  }
}

interface Checkpoint {
  label: string;
  messages: number;
  seconds: number;
  /** replica id -> RSS / peak RSS bytes. */
  rss: Record<string, number>;
  peak: Record<string, number>;
}

export async function run(argv: string[]): Promise<void> {
  const args = new Args(argv);
  const targets = args
    .string('messages', '1m,10m')
    .split(',')
    .map(parseCount)
    .sort((a, b) => a - b);
  const size = args.number('size', 100);
  const batch = Math.max(1, Math.round(args.number('batch', 1000)));
  const concurrency = Math.max(1, Math.round(args.number('concurrency', 8)));
  const maxSeconds = args.number('max-seconds', 600);
  const replicas = args.number('replicas', 3);
  const minInsync = args.number('min-insync', 2);
  const log = (line: string) => process.stderr.write(`${line}\n`);
  const stamp = new Date()
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');

  log(`starting etcd + ${replicas} replicas ...`);
  const bench = await BenchCluster.start({
    replicas,
    minInsync,
    fsync: 'always',
    api: false,
    distDir: args.has('dist') ? args.string('dist', '') : undefined,
    verbose: args.has('verbose'),
  });
  const checkpoints: Checkpoint[] = [];
  let leaderId = '';
  const t0 = performance.now();
  let written = 0;
  let timedOut = false;
  try {
    const leader = await bench.leader();
    leaderId = leader.id;
    const replicaList = bench.cluster.replicas;
    const checkpoint = (label: string) => {
      const rss: Record<string, number> = {};
      const peak: Record<string, number> = {};
      for (const replica of replicaList) {
        rss[replica.id] = replica.pid ? rssBytes(replica.pid) : NaN;
        peak[replica.id] = replica.pid ? peakRss(replica.pid) : NaN;
      }
      const point = {
        label,
        messages: written,
        seconds: (performance.now() - t0) / 1000,
        rss,
        peak,
      };
      checkpoints.push(point);
      log(
        `${label}: ${fmtInt(written)} messages, ${point.seconds.toFixed(0)} s, RSS ` +
          replicaList.map((r) => `${r.id} ${fmtBytes(rss[r.id])}`).join(', '),
      );
    };
    checkpoint('start');

    const client = new ReplicaClient(leader.address);
    const messages = Array.from({ length: batch }, () => Buffer.alloc(size, 'm'));
    const deadline = t0 + maxSeconds * 1000;
    for (const goal of targets) {
      let issued = written;
      await Promise.all(
        Array.from({ length: concurrency }, async () => {
          while (issued < goal && performance.now() < deadline) {
            const n = Math.min(batch, goal - issued);
            issued += n;
            const res = await client.append(
              { messages: n === batch ? messages : messages.slice(0, n) },
              Date.now() + 60_000,
            );
            written += res.count;
          }
        }),
      );
      if (written < goal) {
        timedOut = true;
        checkpoint(`stopped at --max-seconds ${maxSeconds} (goal ${fmtInt(goal)})`);
        break;
      }
      checkpoint(`after ${fmtInt(goal)}`);
    }
    client.close();

    // Random reads over the whole log on every replica: does reading old segments hold memory?
    const readers = replicaList.map((r) => new ReplicaClient(r.address));
    const readEnd = performance.now() + 5000;
    let reads = 0;
    await Promise.all(
      Array.from({ length: 16 }, async (_, i) => {
        const reader = readers[i % readers.length];
        while (performance.now() < readEnd) {
          await reader.read(Math.floor(Math.random() * written), Date.now() + 60_000);
          reads++;
        }
      }),
    );
    for (const reader of readers) reader.close();
    checkpoint(`after ${fmtInt(reads)} random reads (5 s)`);
  } finally {
    await bench.stop();
  }

  const ids = Object.keys(checkpoints[0]?.rss ?? {});
  console.log(
    `\n### Replica memory — ${replicas} replicas, MIN_INSYNC=${minInsync}, fsync always; ${size}-byte messages, ` +
      `gRPC Append batches of ${batch}, ${concurrency} in flight (leader: ${leaderId})\n`,
  );
  console.log(
    `| when | messages | elapsed s | ${ids.map((id) => `${id}${id === leaderId ? ' (leader)' : ''} RSS (peak)`).join(' | ')} |`,
  );
  console.log(`| --- | ---: | ---: | ${ids.map(() => '---:').join(' | ')} |`);
  for (const c of checkpoints) {
    console.log(
      `| ${c.label} | ${fmtInt(c.messages)} | ${c.seconds.toFixed(0)} | ${ids
        .map((id) => `${fmtBytes(c.rss[id])} (${fmtBytes(c.peak[id])})`)
        .join(' | ')} |`,
    );
  }
  if (timedOut) console.log(`\nstopped early: --max-seconds ${maxSeconds} reached.`);

  const resultsDir = join(repoRoot(), 'bench', 'results');
  mkdirSync(resultsDir, { recursive: true });
  const file = join(resultsDir, `memory-${stamp}.json`);
  writeFileSync(
    file,
    JSON.stringify(
      {
        kind: 'memory',
        config: { targets, size, batch, concurrency, maxSeconds, replicas, minInsync },
        machine: { cpus: os.cpus().length, node: process.version, kernel: os.release() },
        leader: leaderId,
        timedOut,
        checkpoints,
      },
      null,
      2,
    ) + '\n',
  );
  console.log(`\nresults: ${file}`);
}
