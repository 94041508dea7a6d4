/**
 * Disk use against the retention limits (issue 17: "configured bytes plus one segment, say how
 * close"): a 3-replica cluster with DISTILLED_RETENTION_BYTES and DISTILLED_SEGMENT_BYTES, N
 * single-message POST /Data writes through the API, and every replica's `.log` bytes sampled
 * every 100 ms during the load and once more when the log start has settled after it.
 *
 *   npm run bench -- retention [--messages 100k] [--size 1024] [--retention-bytes 4194304]
 *                              [--segment-bytes 1048576] [--concurrency 32] [--max-seconds 600]
 */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Args } from './lib/args';
import { BenchCluster, standardCluster } from './lib/cluster';
import { fmtBytes, fmtInt } from './lib/stats';

function logBytes(dataDir: string): number {
  try {
    return readdirSync(dataDir)
      .filter((name) => name.endsWith('.log'))
      .reduce((sum, name) => {
        try {
          return sum + statSync(join(dataDir, name)).size;
        } catch {
          return sum; // deleted between the listing and the stat
        }
      }, 0);
  } catch {
    return 0;
  }
}

export async function run(argv: string[]): Promise<void> {
  const args = new Args(argv);
  const messages = Math.round(args.number('messages', 100_000));
  const size = Math.round(args.number('size', 1024));
  const retentionBytes = Math.round(args.number('retention-bytes', 4 << 20));
  const segmentBytes = Math.round(args.number('segment-bytes', 1 << 20));
  const concurrency = Math.max(1, Math.round(args.number('concurrency', 32)));
  const maxSeconds = args.number('max-seconds', 600);
  const log = (line: string) => process.stderr.write(`${line}\n`);

  log(`starting etcd + 3 replicas + the API ...`);
  const bench = await BenchCluster.start({
    ...standardCluster(args),
    env: {
      DISTILLED_RETENTION_BYTES: String(retentionBytes),
      DISTILLED_SEGMENT_BYTES: String(segmentBytes),
    },
  });
  const replicas = bench.cluster.replicas;
  const peak = new Map(replicas.map((r) => [r.id, 0]));
  const sample = () => {
    for (const r of replicas) peak.set(r.id, Math.max(peak.get(r.id)!, logBytes(r.dataDir)));
  };
  const apiUrl = bench.cluster.api!.url;
  let written = 0;
  let failed = 0;
  let leaderId = '';
  const settled = new Map<string, number>();
  let seconds = 0;
  try {
    leaderId = (await bench.leader()).id;
    const sampler = setInterval(sample, 100);
    const body = JSON.stringify({ message: 'd'.repeat(size) });
    const t0 = performance.now();
    const deadline = t0 + maxSeconds * 1000;
    let issued = 0;
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (issued < messages && performance.now() < deadline) {
          issued++;
          const res = await fetch(`${apiUrl}/Data`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body,
          });
          await res.arrayBuffer();
          if (res.status === 201) written++;
          else failed++;
        }
      }),
    );
    seconds = (performance.now() - t0) / 1000;
    clearInterval(sampler);
    log(
      `${fmtInt(written)} writes in ${seconds.toFixed(0)} s; waiting for the log start to settle`,
    );
    // The leader checks every second and followers follow within a fetch: 12 s is the
    // contract's "~10 s" with slack.
    for (let i = 0; i < 60; i++) {
      sample();
      await sleep(200);
    }
    for (const r of replicas) settled.set(r.id, logBytes(r.dataDir));
  } finally {
    await bench.stop();
  }

  const bound = retentionBytes + segmentBytes;
  const over = (bytes: number) =>
    bytes <= retentionBytes
      ? `${fmtBytes(retentionBytes - bytes)} under the limit`
      : `limit + ${((100 * (bytes - retentionBytes)) / segmentBytes).toFixed(0)}% of a segment`;
  console.log(
    `\n### Disk use with retention — ${fmtBytes(retentionBytes)} limit, ${fmtBytes(segmentBytes)} segments; ` +
      `${fmtInt(written)} POST /Data of ${fmtInt(size)} bytes (${fmtInt(failed)} failed), ${concurrency} in flight, ` +
      `${seconds.toFixed(0)} s; 3 replicas, MIN_INSYNC=2, fsync always\n`,
  );
  console.log(
    `| replica | most .log bytes during the load | after it settled (12 s) | bound (limit + one segment) |`,
  );
  console.log(`| --- | ---: | ---: | ---: |`);
  for (const r of replicas) {
    const role = r.id === leaderId ? ' (leader)' : '';
    const most = peak.get(r.id)!;
    const rest = settled.get(r.id) ?? NaN;
    console.log(
      `| ${r.id}${role} | ${fmtBytes(most)} (${over(most)}) | ${fmtBytes(rest)} (${over(rest)}) | ${fmtBytes(bound)} |`,
    );
  }
}
