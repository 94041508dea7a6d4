/**
 * The closed-loop load model: `concurrency` workers, each issuing one operation and awaiting
 * its answer before the next, for `warmupMs` (not counted) and then `durationMs` (counted).
 * An operation counts when it completes inside the measured window; its latency is from its
 * start to its completion. CPU of this process and of `pids` is read at the window's edges.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { cpuShare, type PidMap, snapshotCpu } from './proc';
import { percentile } from './stats';
import { describeError } from '@distilled/common';

/** One operation by worker `worker`; resolves on success, rejects (or returns false) on error. */
export type Operation = (worker: number) => Promise<boolean | void>;

export interface LoopOptions {
  concurrency: number;
  warmupMs: number;
  durationMs: number;
  op: Operation;
  /** Processes whose CPU to report (label -> pid); this process is always "gen". */
  pids?: PidMap;
}

export interface LoopResult {
  ops: number;
  opsPerSec: number;
  errors: number;
  /** The first few distinct error messages. */
  errorSamples: string[];
  seconds: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  maxMs: number;
  meanMs: number;
  /** CPU per process label during the window, fraction of one core. */
  cpu: Record<string, number>;
}

export async function closedLoop(options: LoopOptions): Promise<LoopResult> {
  const { concurrency, op } = options;
  let measuring = false;
  let stopping = false;
  const latencies: number[] = [];
  let errors = 0;
  const errorSamples = new Set<string>();
  const noteError = (message: string) => {
    if (errorSamples.size < 5) errorSamples.add(message.slice(0, 300));
  };

  const worker = async (id: number) => {
    while (!stopping) {
      const start = performance.now();
      let ok: boolean;
      try {
        ok = (await op(id)) !== false;
        if (!ok) noteError('operation reported failure');
      } catch (error) {
        ok = false;
        noteError(describeError(error));
      }
      if (!measuring) {
        // A failing target would otherwise spin this loop; back off a little outside the window.
        if (!ok) await sleep(5);
        continue;
      }
      if (ok) latencies.push(performance.now() - start);
      else {
        errors++;
        await sleep(1);
      }
    }
  };

  const workers = Array.from({ length: concurrency }, (_, i) => worker(i));
  await sleep(options.warmupMs);
  const before = snapshotCpu(options.pids ?? {});
  measuring = true;
  await sleep(options.durationMs);
  measuring = false;
  const after = snapshotCpu(options.pids ?? {});
  stopping = true;
  await Promise.all(workers);

  const seconds = (after.at - before.at) / 1000;
  const sorted = Float64Array.from(latencies).sort();
  let sum = 0;
  for (const l of latencies) sum += l;
  return {
    ops: latencies.length,
    opsPerSec: latencies.length / seconds,
    errors,
    errorSamples: [...errorSamples],
    seconds,
    p50Ms: percentile(sorted, 50),
    p90Ms: percentile(sorted, 90),
    p99Ms: percentile(sorted, 99),
    maxMs: sorted.length ? sorted[sorted.length - 1] : NaN,
    meanMs: latencies.length ? sum / latencies.length : NaN,
    cpu: cpuShare(before, after),
  };
}
