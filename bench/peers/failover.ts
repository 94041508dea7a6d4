/**
 * `npm run bench -- failover`: how long writes stop when the leader dies, and how often the
 * leader changes when nothing dies, for Distilled and for the JetStream R3 peer in one run.
 *
 * - failover: one writer appends back to back (POST /Data; sync publish); the leader (our
 *   leader replica; the stream leader's nats-server) is SIGKILLed, and the figure is the time
 *   from the kill to the first acknowledged write that was sent after it. The victim is then
 *   restarted and the cluster allowed to heal before the next of `--rounds` (default 10);
 *   the median is reported.
 * - graceful stop: the same with SIGTERM instead (our leader hands over before it exits;
 *   nats-server shuts down cleanly), `--graceful-rounds` of them (default: as many as
 *   `--rounds`; 0 skips them).
 * - false step-downs: `--seconds` (default 60) of closed-loop load at C=64 with no fault, and
 *   the number of leader changes meanwhile (our epoch's increase; JetStream's stream
 *   leader-elected advisories).
 *
 *   npm run bench -- failover [--rounds 10] [--graceful-rounds N] [--seconds 60] [--dist dir] [--no-peers]
 */
import { loadavg } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import type { NatsConnection } from '@nats-io/nats-core';
import { jetstream } from '@nats-io/jetstream';
import { Client } from 'undici';
import { describeError } from '@distilled/common';
import { Args } from '../lib/args';
import { BenchCluster, standardCluster } from '../lib/cluster';
import { closedLoop } from '../lib/closed-loop';
import { fmtInt, fmtMs, median } from '../lib/stats';
import { HttpWorkers, OffsetRange, messageBody } from '../lib/targets';
import { JetStreamCluster, STREAM, SUBJECT } from './jetstream-cluster';
import { JetStreamWorkers } from './jetstream-workers';

const log = (line: string) => process.stderr.write(`${line}\n`);

interface SystemResult {
  system: string;
  failoverMs: number[];
  /** The same after SIGTERM: a graceful stop of the leader. */
  gracefulMs: number[];
  loadSeconds: number;
  loadOpsPerSec: number;
  leaderChanges: number;
  /** Why the rounds stopped early (the system did not recover in time); the rest still count. */
  stoppedEarly?: string;
}

/**
 * Appends back to back with `write` (resolving true on an acknowledged write) until stopped;
 * `firstAckAfter(t)` resolves with the completion time of the first acknowledged write sent
 * at or after `t`.
 */
class Writer {
  private stopping = false;
  private readonly acks: { sentAt: number; ackedAt: number }[] = [];
  private readonly done: Promise<void>;

  constructor(write: () => Promise<boolean>) {
    this.done = (async () => {
      while (!this.stopping) {
        const sentAt = performance.now();
        const ok = await write().catch(() => false);
        if (ok) this.acks.push({ sentAt, ackedAt: performance.now() });
        else await sleep(5);
      }
    })();
  }

  async firstAckAfter(t: number, timeoutMs = 60_000): Promise<number> {
    const deadline = performance.now() + timeoutMs;
    while (performance.now() < deadline) {
      const found = this.acks.find((ack) => ack.sentAt >= t);
      if (found) return found.ackedAt;
      await sleep(2);
    }
    throw new Error(`no acknowledged write within ${timeoutMs} ms of the kill`);
  }

  async stop(): Promise<void> {
    this.stopping = true;
    await this.done;
  }
}

async function distilled(
  args: Args,
  rounds: number,
  gracefulRounds: number,
  seconds: number,
): Promise<SystemResult> {
  const bench = await BenchCluster.start(standardCluster(args));
  try {
    const api = bench.cluster.api!.url;
    const result: SystemResult = {
      system: 'Distilled',
      failoverMs: [],
      gracefulMs: [],
      loadSeconds: 0,
      loadOpsPerSec: NaN,
      leaderChanges: NaN,
    };

    const leader = await bench.leader();
    const epochBefore = (await bench.cluster.status(leader)).epoch;
    const workers = new HttpWorkers(api, 64);
    const load = await closedLoop({
      concurrency: 64,
      warmupMs: 0,
      durationMs: seconds * 1000,
      op: workers.append(100, new OffsetRange()),
    });
    await workers.close();
    const now = await bench.leader();
    const epochAfter = (await bench.cluster.status(now)).epoch;
    result.loadSeconds = load.seconds;
    result.loadOpsPerSec = load.opsPerSec;
    result.leaderChanges = Number(epochAfter) - Number(epochBefore);
    log(
      `Distilled: ${seconds} s at C=64 with no fault: ${fmtInt(load.opsPerSec)}/s, epoch ${epochBefore} -> ${epochAfter}`,
    );

    const client = new Client(api, { headersTimeout: 1_000, bodyTimeout: 1_000 });
    const body = messageBody(100);
    const writer = new Writer(async () => {
      const res = await client.request({
        path: '/Data',
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
      });
      await res.body.text();
      return res.statusCode === 201 || res.statusCode === 200;
    });
    try {
      for (const [signal, count, into] of plan(rounds, gracefulRounds, result)) {
        for (let round = 1; round <= count; round++) {
          const victim = await bench.leader();
          await sleep(300);
          const signalledAt = performance.now();
          const exited = signal === 'SIGKILL' ? victim.kill('SIGKILL') : victim.stop();
          const ackedAt = await writer.firstAckAfter(signalledAt);
          into.push(ackedAt - signalledAt);
          log(
            `Distilled ${signal} ${round}/${count}: ${victim.id}, ${fmtMs(ackedAt - signalledAt)} ms`,
          );
          await exited;
          await victim.start();
          await bench.cluster.waitForIsr(
            bench.cluster.replicas.map((replica) => replica.id),
            60_000,
          );
        }
      }
    } finally {
      await writer.stop();
      await client.close();
    }
    return result;
  } finally {
    await bench.stop();
  }
}

async function jetStream(
  rounds: number,
  gracefulRounds: number,
  seconds: number,
): Promise<SystemResult> {
  const cluster = await JetStreamCluster.start(log);
  let control: NatsConnection | undefined;
  try {
    control = await cluster.connect();
    const result: SystemResult = {
      system: 'NATS JetStream R3',
      failoverMs: [],
      gracefulMs: [],
      loadSeconds: 0,
      loadOpsPerSec: NaN,
      leaderChanges: 0,
    };
    const advisories = control.subscribe(`$JS.EVENT.ADVISORY.STREAM.LEADER_ELECTED.${STREAM}`, {
      callback: () => {
        result.leaderChanges++;
      },
    });
    await control.flush();
    const workers = await JetStreamWorkers.open(cluster, 64);
    const load = await closedLoop({
      concurrency: 64,
      warmupMs: 0,
      durationMs: seconds * 1000,
      op: workers.publish(100, new OffsetRange()),
    });
    await workers.close();
    advisories.unsubscribe();
    result.loadSeconds = load.seconds;
    result.loadOpsPerSec = load.opsPerSec;
    log(
      `JetStream: ${seconds} s at C=64 with no fault: ${fmtInt(load.opsPerSec)}/s, ${result.leaderChanges} leader changes`,
    );

    const writerConnection = await cluster.connect();
    const js = jetstream(writerConnection, { timeout: 1_000 });
    const payload = Buffer.alloc(100, 'x');
    const writer = new Writer(async () => {
      await js.publish(SUBJECT, payload);
      return true;
    });
    try {
      rounds: for (const [signal, count, into] of plan(rounds, gracefulRounds, result)) {
        for (let round = 1; round <= count; round++) {
          const victim = await cluster.leader(control);
          if (!victim) throw new Error('JetStream stream has no leader');
          await sleep(300);
          const signalledAt = performance.now();
          cluster.kill(victim, signal);
          const ackedAt = await writer.firstAckAfter(signalledAt);
          into.push(ackedAt - signalledAt);
          log(
            `JetStream ${signal} ${round}/${count}: ${victim.name}, ${fmtMs(ackedAt - signalledAt)} ms`,
          );
          await sleep(200);
          try {
            await cluster.restart(victim);
            await cluster.waitHealthy(control, 60_000);
          } catch (error) {
            // One slow recovery must not throw away the rounds measured so far.
            result.stoppedEarly = `after ${signal} round ${round}, ${victim.name} did not recover: ${describeError(error)}`;
            log(`JetStream: stopping the failover rounds ${result.stoppedEarly}`);
            break rounds;
          }
        }
      }
    } finally {
      await writer.stop();
      await writerConnection.close();
    }
    return result;
  } finally {
    await control?.close().catch(() => undefined);
    await cluster.stop();
  }
}

/** The kinds of round to run: SIGKILLs first, then graceful stops, each into its own list. */
function plan(
  rounds: number,
  gracefulRounds: number,
  result: SystemResult,
): Array<['SIGKILL' | 'SIGTERM', number, number[]]> {
  return [
    ['SIGKILL', rounds, result.failoverMs],
    ['SIGTERM', gracefulRounds, result.gracefulMs],
  ];
}

export async function run(argv: string[]): Promise<void> {
  const args = new Args(argv);
  const rounds = Math.max(1, Math.round(args.number('rounds', 10)));
  const gracefulRounds = Math.max(0, Math.round(args.number('graceful-rounds', rounds)));
  const seconds = args.number('seconds', 60);
  const startedAt = new Date();
  const results: SystemResult[] = [await distilled(args, rounds, gracefulRounds, seconds)];
  if (!args.has('no-peers')) results.push(await jetStream(rounds, gracefulRounds, seconds));

  console.log(
    `\n### Failover — SIGKILL (and SIGTERM) of the leader to the next acknowledged write (median of ${rounds}, ${gracefulRounds}); leader changes under ${seconds} s of load with no fault\n`,
  );
  console.log(
    `${startedAt.toISOString()}, load average at end ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}\n`,
  );
  console.log(
    '| system | SIGKILL median ms | min–max ms | SIGTERM median ms | min–max ms | leader changes, no fault | load ops/s |',
  );
  console.log('| --- | ---: | --- | ---: | --- | ---: | ---: |');
  for (const r of results) {
    console.log(
      `| ${r.system} | ${fmtInt(median(r.failoverMs))} | ${spread(r.failoverMs)} | ${fmtInt(median(r.gracefulMs))} | ${spread(r.gracefulMs)} | ${r.leaderChanges} | ${fmtInt(r.loadOpsPerSec)} |`,
    );
  }
  for (const r of results) {
    if (r.stoppedEarly)
      console.log(`\n${r.system}: ${r.failoverMs.length} of ${rounds} rounds, ${r.stoppedEarly}`);
  }
  console.log(
    `\nevery failover, ms: ${results.map((r) => `${r.system}: SIGKILL ${r.failoverMs.map((x) => Math.round(x)).join(', ')}; SIGTERM ${r.gracefulMs.map((x) => Math.round(x)).join(', ')}`).join('; ')}`,
  );
}

function spread(values: number[]): string {
  if (values.length === 0) return '–';
  const sorted = [...values].sort((a, b) => a - b);
  return `${fmtInt(sorted[0])}–${fmtInt(sorted[sorted.length - 1])}`;
}
