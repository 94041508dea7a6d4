/**
 * The disk ceiling of the suite: a loop of write + fdatasync on one file, `records` records of
 * `size` bytes per write (1 = one sync per message; 64 = what group commit can reach at best
 * with 64 writers). Same idea as rawSyncLoop in bench/log-store.ts, plus per-sync latencies.
 * Synchronous on purpose: nothing else runs in this process while it measures.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { percentile } from './stats';

export interface RawSyncResult {
  recordsPerSync: number;
  syncsPerSec: number;
  recordsPerSec: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  seconds: number;
}

export function rawSyncLoop(
  dir: string,
  records: number,
  size: number,
  seconds: number,
): RawSyncResult {
  const file = path.join(dir, `raw-sync-${process.pid}-${records}x${size}.bin`);
  const fd = fs.openSync(file, 'w');
  const chunk = Buffer.alloc(records * size, 'y');
  const latencies: number[] = [];
  let position = 0;
  const start = performance.now();
  const end = start + seconds * 1000;
  let now = start;
  try {
    while (now < end) {
      const t0 = now;
      fs.writeSync(fd, chunk, 0, chunk.length, position);
      fs.fdatasyncSync(fd);
      position += chunk.length;
      now = performance.now();
      latencies.push(now - t0);
    }
  } finally {
    fs.closeSync(fd);
    fs.rmSync(file, { force: true });
  }
  const elapsed = (now - start) / 1000;
  const sorted = Float64Array.from(latencies).sort();
  return {
    recordsPerSync: records,
    syncsPerSec: latencies.length / elapsed,
    recordsPerSec: (latencies.length * records) / elapsed,
    p50Ms: percentile(sorted, 50),
    p99Ms: percentile(sorted, 99),
    maxMs: sorted[sorted.length - 1],
    seconds: elapsed,
  };
}
