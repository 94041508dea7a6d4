/**
 * The reading half of the API, measured (`npm run bench -- readers`, and a section of the default
 * suite): bulk reads through GET /Data/Range (limit=1000) and through one GET /Data/Stream, in
 * messages/s; delivery latency from a write's acknowledgement to its event at 100 SSE followers
 * while 1,000 writes/s go in; the API's memory with 1,000 idle followers. 100-byte messages, on
 * the same 3-replica cluster as the suite (MIN_INSYNC=2, fsync always).
 *
 *   npm run bench -- readers [--messages 200000 --read-rounds 3 --latency-seconds 5 --followers 100 --rate 1000 --idle 1000 --warm-rounds 1 --only range --dist dir]
 *
 * The bulk reads: Range with 4 readers, Range with one reader on one keep-alive connection (the
 * suite's drain against JetStream's ordered consumer, `drainRange`: every page's whole latency is
 * on the reader's path), and one stream. `--only range` measures the two Range reads and stops
 * (an A/B of the Range path without the minutes of the rest); with `--profile` the profiles
 * are then those of the one-connection reads.
 *
 * Each bulk read goes over the same messages `--read-rounds` times and reports the median round
 * (each round printed beside it): one pass of 200,000 messages takes under a second, so a single
 * pass on freshly started processes mostly measured how fast V8 compiles the read path.
 *
 * Before them, `--warm-rounds` (1) untimed passes of each bulk read, and as many untimed write
 * phases of the latency measurement (`--latency-warmup-seconds`, 3 s each, the same followers
 * and rate), printed as "warm-up (not in medians)". Run alone, this command starts fresh
 * processes: the first Range pass ran at half the later ones' rate (API 4.4 against 2.5 µs of
 * CPU per message), the first stream pass at 40%, and the latency phase's writes were the API's
 * first POSTs, compiled while they were timed. In the suite the same processes have run every
 * cell (and the peer's Range drains) before this section, so they are warm there; the warm-up
 * makes the command alone measure what the suite does (bench/RESULTS.md, "ack → event").
 */
import * as http from 'node:http';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Agent, request } from 'undici';
import { ReplicaClient } from '@distilled/proto';
import { Args } from './lib/args';
import { drainRange } from './peers/distilled-bulk';
import { BenchCluster, standardCluster } from './lib/cluster';
import { cpuShare, snapshotCpu, type PidMap } from './lib/proc';
import { printProfiles, saveProcessNames, summarizeProfiles } from './lib/profile';
import { fmtInt, fmtMs, percentile } from './lib/stats';

/** CPU per message of each process during a bulk read (µs, idle use taken off), and the share of a core each used. */
export interface ReadCpu {
  /** Label (api, L, F1, F2, gen = this load generator, other = the rest of the host) -> µs/message. */
  microsPerMessage: Record<string, number>;
  /** Label -> fraction of one core over the read. */
  cores: Record<string, number>;
}

export interface ReaderResults {
  messages: number;
  /** The median round's rate (and its CPU below); every round's in `rangeRounds`. */
  rangeMessagesPerSec: number;
  /** One reader, one connection, page after page (drainRange). */
  drainMessagesPerSec: number;
  streamMessagesPerSec: number;
  rangeRounds: number[];
  drainRounds: number[];
  streamRounds: number[];
  /** The untimed passes before them (--warm-rounds), in order: never in a median. */
  rangeWarmRounds: number[];
  drainWarmRounds: number[];
  streamWarmRounds: number[];
  rangeCpu?: ReadCpu;
  drainCpu?: ReadCpu;
  streamCpu?: ReadCpu;
  /** Absent with `--only range`. */
  latency?: {
    followers: number;
    ratePerSec: number;
    events: number;
    p50Ms: number;
    p99Ms: number;
    maxMs: number;
    /** ack -> every follower p99 of each untimed warm-up phase before the measured one. */
    warmP99Ms: number[];
    /** Where the time goes: one row per stage (see deliveryLatency). */
    stages: StageRow[];
    /** CPU per acknowledged write while the writes went in (µs, label -> µs), and the host's load. */
    cpuPerWrite: Record<string, number>;
    loadAverage: [number, number];
  };
  idle?: {
    followers: number;
    /** Streams the API counted as open when memory was read. */
    connected: number;
    /** Followers the API refused or reset, and the first reason. */
    refused: number;
    firstRefusal?: string;
    rssBeforeBytes: number;
    rssAfterBytes: number;
    heapUsedBytes: number;
  };
}

/** One stage of the ack -> event path: its latency distribution in ms (negative = before the ack). */
export interface StageRow {
  stage: string;
  samples: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

export interface ReaderOptions {
  messages: number;
  /** Passes of each bulk read over the same messages; the median is reported. */
  readRounds: number;
  /** Untimed passes of each bulk read, and untimed write phases, before the measured ones. */
  warmRounds: number;
  latencySeconds: number;
  /** Length of each untimed write phase. */
  latencyWarmupSeconds: number;
  followers: number;
  ratePerSec: number;
  idleFollowers: number;
  /** Only the two Range reads (`--only range`). */
  rangeOnly: boolean;
}

const MESSAGE = 'x'.repeat(100);
const log = (line: string) => process.stderr.write(`${line}\n`);

export async function measureReaders(
  bench: BenchCluster,
  options: ReaderOptions,
): Promise<ReaderResults> {
  const api = bench.cluster.api!.url;
  const start = await fill(bench, options.messages);
  const { pids } = await bench.pids();
  const range = await inRounds(options.warmRounds, options.readRounds, 'Range limit=1000', () =>
    withCpu(pids, options.messages, () => rangeRead(api, start, start + options.messages)),
  );
  // With --profile and --only range, the profiles hold the one-connection reads (and shutdown).
  if (options.rangeOnly) await bench.resetProfiles();
  const drain = await inRounds(
    options.warmRounds,
    options.readRounds,
    'Range limit=1000, one connection',
    () =>
      withCpu(pids, options.messages, async () => {
        const read = await drainRange(api, start);
        return read.messages / read.seconds;
      }),
  );
  const bulk = {
    messages: options.messages,
    rangeMessagesPerSec: range.median[0],
    drainMessagesPerSec: drain.median[0],
    rangeRounds: range.rates,
    drainRounds: drain.rates,
    rangeWarmRounds: range.warmRates,
    drainWarmRounds: drain.warmRates,
    rangeCpu: range.median[1],
    drainCpu: drain.median[1],
  };
  if (options.rangeOnly) {
    return {
      ...bulk,
      streamMessagesPerSec: NaN,
      streamRounds: [],
      streamWarmRounds: [],
    };
  }
  const stream = await inRounds(options.warmRounds, options.readRounds, 'one SSE stream', () =>
    withCpu(pids, options.messages, () => streamRead(api, start, start + options.messages)),
  );
  const latency = await deliveryLatency(bench, api, options);
  log(
    `readers: ack -> event with ${options.followers} followers at ${options.ratePerSec} writes/s: p50 ${fmtMs(latency.p50Ms)} ms, p99 ${fmtMs(latency.p99Ms)} ms`,
  );
  const idle = await idleFollowers(api, options.idleFollowers);
  log(
    `readers: ${options.idleFollowers} idle followers: API RSS ${(idle.rssBeforeBytes / 2 ** 20).toFixed(0)} -> ${(idle.rssAfterBytes / 2 ** 20).toFixed(0)} MiB, ${idle.connected} connected, ${idle.refused} refused${idle.firstRefusal ? ` (${idle.firstRefusal})` : ''}`,
  );
  return {
    ...bulk,
    streamMessagesPerSec: stream.median[0],
    streamRounds: stream.rates,
    streamWarmRounds: stream.warmRates,
    streamCpu: stream.median[1],
    latency,
    idle,
  };
}

/**
 * Runs one bulk read `warmRounds` times untimed, then `rounds` times; the round with the median
 * rate, every counted rate in order, and the warm-up's.
 */
async function inRounds(
  warmRounds: number,
  rounds: number,
  name: string,
  measure: () => Promise<[number, ReadCpu]>,
): Promise<{ median: [number, ReadCpu]; rates: number[]; warmRates: number[] }> {
  const warmRates: number[] = [];
  for (let round = 1; round <= warmRounds; round++) {
    const [rate, cpu] = await measure();
    log(
      `readers: ${name}, warm-up (not in medians) ${round}/${warmRounds}: ${fmtInt(rate)} messages/s; ${describeCpu(cpu)}`,
    );
    warmRates.push(rate);
  }
  const results: Array<[number, ReadCpu]> = [];
  for (let round = 1; round <= rounds; round++) {
    const result = await measure();
    log(
      `readers: ${name}, round ${round}/${rounds}: ${fmtInt(result[0])} messages/s; ${describeCpu(result[1])}`,
    );
    results.push(result);
  }
  const sorted = [...results].sort((a, b) => a[0] - b[0]);
  return {
    median: sorted[Math.floor((sorted.length - 1) / 2)],
    rates: results.map((r) => r[0]),
    warmRates,
  };
}

/**
 * Runs `read` (which reads `messages` messages) and reports each process's CPU per message: a
 * figure that depends far less on what else the shared host runs than messages/s does. What
 * each process burns idle (heartbeats, etcd leases, the follower fetch loops), measured over
 * the second before, is taken off first: at a few seconds per read it would otherwise weigh
 * as much as the reads themselves.
 */
async function withCpu(
  pids: PidMap,
  messages: number,
  read: () => Promise<number>,
): Promise<[number, ReadCpu]> {
  const quiet = snapshotCpu(pids);
  await new Promise((r) => setTimeout(r, 1000));
  const before = snapshotCpu(pids);
  const idle = cpuShare(quiet, before);
  const rate = await read();
  const after = snapshotCpu(pids);
  const cores = cpuShare(before, after);
  const seconds = (after.at - before.at) / 1000;
  const microsPerMessage: Record<string, number> = {};
  for (const [label, share] of Object.entries(cores)) {
    if (label === 'host') continue;
    // "other" and gen are what they are; our own processes lose their idle share.
    const background = label === 'other' || label === 'gen' ? 0 : (idle[label] ?? 0);
    microsPerMessage[label] = (Math.max(0, share - background) * seconds * 1e6) / messages;
  }
  return [rate, { microsPerMessage, cores }];
}

function describeCpu(cpu: ReadCpu): string {
  const parts = Object.entries(cpu.microsPerMessage).map(
    ([label, us]) => `${label} ${us.toFixed(2)} µs (${Math.round(cpu.cores[label] * 100)}%)`,
  );
  return `CPU per message: ${parts.join(', ')}`;
}

/**
 * Appends `count` 100-byte messages straight to the leader, 1,000 per Append; returns the first
 * offset. A replica that is no longer the leader (elections happen on a loaded host) refuses
 * without appending, so the Append is sent again to the new one.
 */
async function fill(bench: BenchCluster, count: number): Promise<number> {
  let client = new ReplicaClient((await bench.leader()).address);
  const append = async (n: number): Promise<number> => {
    const request = {
      messages: Array.from({ length: n }, () => Buffer.from(MESSAGE)),
      producer_id: 0,
      sequence: 0,
    };
    for (let attempt = 1; ; attempt++) {
      try {
        return Number((await client.append(request, Date.now() + 60_000)).base_offset);
      } catch (error) {
        if ((error as { code?: number }).code !== 9 || attempt >= 10) throw error; // FAILED_PRECONDITION
        await new Promise((r) => setTimeout(r, 500));
        const leader = await bench.leader();
        if (leader.address !== client.address) {
          client.close();
          client = new ReplicaClient(leader.address);
        }
      }
    }
  };
  let first = Infinity;
  let left = count;
  while (left > 0) {
    const batch = await Promise.all(
      Array.from({ length: Math.min(8, Math.ceil(left / 1000)) }, () => {
        const n = Math.min(1000, left);
        left -= n;
        return append(n);
      }),
    );
    for (const base of batch) first = Math.min(first, base);
  }
  client.close();
  return first;
}

/** Four readers page through [from, to) with limit=1000, each its own quarter. */
async function rangeRead(api: string, from: number, to: number): Promise<number> {
  const agent = new Agent({ connections: 4 });
  const quarter = Math.ceil((to - from) / 4);
  const started = performance.now();
  let read = 0;
  await Promise.all(
    [0, 1, 2, 3].map(async (i) => {
      let offset = from + i * quarter;
      const end = Math.min(to, offset + quarter);
      while (offset < end) {
        const response = await request(
          `${api}/Data/Range?offset=${offset}&limit=${Math.min(1000, end - offset)}`,
          { dispatcher: agent },
        );
        const body = (await response.body.json()) as { messages: unknown[]; nextOffset: number };
        if (body.messages.length === 0) throw new Error(`Range at ${offset} came back empty`);
        read += body.messages.length;
        offset = body.nextOffset;
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  await agent.close();
  return read / seconds;
}

/** One stream from `from`, until the event of offset to-1 arrives. */
function streamRead(api: string, from: number, to: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    let events = 0;
    let tail = '';
    const req = http.get(`${api}/Data/Stream?offset=${from}`, { agent: false }, (res) => {
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        const text = tail + chunk;
        let at = text.indexOf('event: message');
        while (at >= 0) {
          events++;
          at = text.indexOf('event: message', at + 14);
        }
        tail = text.slice(-13);
        if (events >= to - from) {
          req.destroy();
          resolve(events / ((performance.now() - started) / 1000));
        }
      });
      res.on('error', reject);
    });
    req.on('error', (error) => (events >= to - from ? undefined : reject(error)));
  });
}

/**
 * The followers of the latency measurement, in a worker thread of their own: parsing 100
 * streams must not delay the writer's event loop (its acknowledgements would be timed late).
 * Times are absolute (timeOrigin + now) so the two threads compare.
 */
const FOLLOWER_WORKER = `
const http = require('node:http');
const { parentPort, workerData } = require('node:worker_threads');
const { monitorEventLoopDelay } = require('node:perf_hooks');
const loopDelay = monitorEventLoopDelay({ resolution: 1 });
loopDelay.enable();
const streams = [];
let opened = 0;
let arrivals = [];
for (let i = 0; i < workerData.followers; i++) {
  const req = http.get(workerData.url, { agent: false }, (res) => {
    res.setEncoding('utf8');
    let buffer = '';
    res.on('data', (chunk) => {
      const now = performance.timeOrigin + performance.now();
      buffer += chunk;
      let end;
      while ((end = buffer.indexOf('\\n\\n')) >= 0) {
        const id = /^id: (\\d+)$/m.exec(buffer.slice(0, end));
        if (id) arrivals.push(Number(id[1]), now);
        buffer = buffer.slice(end + 2);
      }
    });
    if (++opened === workerData.followers) parentPort.postMessage({ ready: true });
  });
  req.on('error', () => undefined);
  streams.push(req);
}
const flush = setInterval(() => {
  if (arrivals.length) parentPort.postMessage({ arrivals });
  arrivals = [];
}, 100);
parentPort.on('message', (message) => {
  if (message === 'reset') {
    loopDelay.reset(); // the warm-up's delays are not the measured phase's
    return;
  }
  clearInterval(flush);
  loopDelay.disable();
  parentPort.postMessage({
    arrivals,
    done: true,
    loopDelay: { p99: loopDelay.percentile(99) / 1e6, max: loopDelay.max / 1e6 },
  });
  for (const req of streams) req.destroy();
});
`;

/**
 * `followers` streams at the tail; writes at `ratePerSec` for `latencySeconds`; ack -> event.
 *
 * Besides the end-to-end figure it times the stages, all against the same ack time (this
 * thread's clock): each replica's own Follow stream (one per replica, opened here, so "L" is when
 * the leader's high watermark passed the message and "F1"/"F2" when each follower's did), the API's
 * feed replica picked out by its metric, the first of the 100 followers to get the event, and
 * the spread from the first to the last follower (the API's per-socket writes plus this
 * generator's parsing). The event-loop delay of both generator threads says how much of the tail
 * is the measurement's own.
 */
async function deliveryLatency(
  bench: BenchCluster,
  api: string,
  options: ReaderOptions,
): Promise<NonNullable<ReaderResults['latency']>> {
  const now = () => performance.timeOrigin + performance.now();
  const acked = new Map<number, number>();
  const arrivals: number[] = [];
  let workerLoop = { p99: NaN, max: NaN };
  const worker = new Worker(FOLLOWER_WORKER, {
    eval: true,
    workerData: { url: `${api}/Data/Stream?offset=end`, followers: options.followers },
  });
  let finished!: () => void;
  const done = new Promise<void>((resolve) => (finished = resolve));
  const ready = new Promise<void>((resolve, reject) => {
    worker.on(
      'message',
      (message: {
        ready?: boolean;
        arrivals?: number[];
        done?: boolean;
        loopDelay?: typeof workerLoop;
      }) => {
        if (message.ready) resolve();
        // A loop, not push(...): a flush held back by a busy host can pass the stack's
        // argument limit (RangeError, seen in an 8 s run of 100 followers on a loaded host).
        for (const value of message.arrivals ?? []) arrivals.push(value);
        if (message.loopDelay) workerLoop = message.loopDelay;
        if (message.done) finished();
      },
    );
    worker.on('error', reject);
  });
  await ready;
  // Each replica's Follow from the committed end: when its high watermark passed each offset.
  const { pids, names } = await bench.pids();
  const committedEnd = (
    (await (await request(`${api}/Data/Range?offset=0&limit=1`)).body.json()) as {
      endOffset: number;
    }
  ).endOffset;
  const replicaSeen = new Map<string, Map<number, number>>();
  const watchers = Object.keys(pids)
    .filter((label) => /^(L|F\d+)$/.test(label))
    .map((label) => {
      const replica = bench.cluster.replicas.find((r) => r.id === names[label])!;
      const client = new ReplicaClient(replica.address);
      const seen = new Map<number, number>();
      replicaSeen.set(label, seen);
      const stream = client.follow(committedEnd, {
        response: (response) => {
          const at = now();
          const count = response.messages?.length ?? 0;
          for (let i = 0; i < count; i++) seen.set(response.first_offset + i, at);
        },
        end: () => undefined,
      });
      return () => {
        stream.cancel();
        client.close();
      };
    });
  await new Promise((r) => setTimeout(r, 500));
  const agent = new Agent({ connections: 64 });
  /** Writes at the rate for `seconds`; each acknowledgement's time into `into`. */
  const writeAtRate = async (seconds: number, into: Map<number, number>): Promise<number> => {
    const perTick = Math.max(1, Math.round(options.ratePerSec / 100));
    const started = performance.now();
    const deadline = started + seconds * 1000;
    const writes: Promise<void>[] = [];
    for (let tick = 0; performance.now() < deadline; tick++) {
      for (let i = 0; i < perTick; i++) {
        writes.push(
          request(`${api}/Data`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ message: MESSAGE }),
            dispatcher: agent,
          })
            .then((response) => response.body.json() as Promise<{ offset: number }>)
            .then((body) => void into.set(body.offset, now())),
        );
      }
      // Open loop: the next tick is due 10 ms after the previous one was, whatever the answers.
      await new Promise((r) =>
        setTimeout(r, Math.max(0, started + (tick + 1) * 10 - performance.now())),
      );
    }
    await Promise.all(writes);
    return (performance.now() - started) / 1000;
  };
  // Untimed phases first: a fresh API compiles its POST path (and the fan-out) in them, not in
  // the measured one. Only offsets acknowledged in the measured phase count below.
  const warmP99Ms: number[] = [];
  for (let round = 1; round <= options.warmRounds; round++) {
    const warmAcked = new Map<number, number>();
    await writeAtRate(options.latencyWarmupSeconds, warmAcked);
    await new Promise((r) => setTimeout(r, 300)); // the follower thread flushes every 100 ms
    const warm: number[] = [];
    for (let i = 0; i < arrivals.length; i += 2) {
      const ack = warmAcked.get(arrivals[i]);
      if (ack !== undefined) warm.push(arrivals[i + 1] - ack);
    }
    arrivals.length = 0;
    const row = stageRow('', warm);
    warmP99Ms.push(row.p99Ms);
    log(
      `readers: ack -> event, warm-up (not in medians) ${round}/${options.warmRounds}, ${options.latencyWarmupSeconds} s: p50 ${fmtMs(row.p50Ms)} ms, p99 ${fmtMs(row.p99Ms)} ms (${fmtInt(row.samples)})`,
    );
  }
  if (options.warmRounds > 0) worker.postMessage('reset');
  await bench.resetProfiles();
  const loadBefore = loadavg()[0];
  const cpuBefore = snapshotCpu(pids);
  const loopDelay = monitorEventLoopDelay({ resolution: 1 });
  loopDelay.enable();
  const writeSeconds = await writeAtRate(options.latencySeconds, acked);
  loopDelay.disable();
  // The last events reach the followers within ms of the last ack: 100 ms more takes them in.
  await new Promise((r) => setTimeout(r, 100));
  const cpuAfter = snapshotCpu(pids);
  const loadAfter = loadavg()[0];
  await new Promise((r) => setTimeout(r, 900));
  worker.postMessage('stop');
  await done;
  await worker.terminate();
  await agent.close();
  for (const stop of watchers) stop();
  const feedReplica = await feedReplicaId(api);
  const latencies: number[] = [];
  const first = new Map<number, number>();
  const last = new Map<number, number>();
  for (let i = 0; i < arrivals.length; i += 2) {
    const [offset, at] = [arrivals[i], arrivals[i + 1]];
    const ack = acked.get(offset);
    if (ack === undefined) continue; // a warm-up write's event, flushed late
    latencies.push(at - ack);
    if (!(at >= (first.get(offset) ?? Infinity))) first.set(offset, at);
    if (!(at <= (last.get(offset) ?? -Infinity))) last.set(offset, at);
  }
  const fromAck = (times: Map<number, number>): number[] => {
    const out: number[] = [];
    for (const [offset, at] of times) {
      const ack = acked.get(offset);
      if (ack !== undefined) out.push(at - ack);
    }
    return out;
  };
  const stages: StageRow[] = [];
  for (const [label, seen] of replicaSeen) {
    const feed = names[label] === feedReplica ? ', the API feed follows it' : '';
    stages.push(stageRow(`ack → ${label} (${names[label]}) Follow push${feed}`, fromAck(seen)));
  }
  // A follower's high watermark trails the leader's by a fetch response (or more): per offset.
  const leaderSeen = replicaSeen.get('L');
  for (const [label, seen] of replicaSeen) {
    if (label === 'L' || !leaderSeen) continue;
    const lag: number[] = [];
    for (const [offset, at] of seen) {
      const led = leaderSeen.get(offset);
      if (led !== undefined && acked.has(offset)) lag.push(at - led);
    }
    stages.push(stageRow(`L push → ${label} push (the follower's HW lag)`, lag));
  }
  const feedLabel = Object.keys(names).find((label) => names[label] === feedReplica);
  const feedSeen = feedLabel ? replicaSeen.get(feedLabel) : undefined;
  if (feedSeen) {
    const api: number[] = [];
    for (const [offset, at] of first) {
      const pushed = feedSeen.get(offset);
      if (pushed !== undefined) api.push(at - pushed);
    }
    stages.push(stageRow('feed replica push → first follower (API feed + 1st socket)', api));
  }
  stages.push(stageRow('ack → first follower', fromAck(first)));
  const spread: number[] = [];
  for (const [offset, at] of first) spread.push(last.get(offset)! - at);
  stages.push(stageRow('first → last follower (per-socket writes + parsing)', spread));
  stages.push(stageRow('ack → every follower (the figure)', latencies));
  const main = { p99: loopDelay.percentile(99) / 1e6, max: loopDelay.max / 1e6 };
  stages.push({
    stage: 'generator event-loop delay, writer thread',
    samples: NaN,
    p50Ms: NaN,
    p99Ms: main.p99,
    maxMs: main.max,
  });
  stages.push({
    stage: 'generator event-loop delay, follower thread',
    samples: NaN,
    p50Ms: NaN,
    p99Ms: workerLoop.p99,
    maxMs: workerLoop.max,
  });
  // CPU per write: what the path costs each process, far steadier than its delays on a shared host.
  const shares = cpuShare(cpuBefore, cpuAfter);
  const cpuSeconds = (cpuAfter.at - cpuBefore.at) / 1000;
  const cpuPerWrite: Record<string, number> = {};
  for (const [label, share] of Object.entries(shares)) {
    if (label !== 'host') cpuPerWrite[label] = (share * cpuSeconds * 1e6) / Math.max(1, acked.size);
  }
  for (const row of stages) {
    log(
      `readers:   ${row.stage}: p50 ${fmtMs(row.p50Ms)}, p99 ${fmtMs(row.p99Ms)}, max ${fmtMs(row.maxMs)} ms (${fmtInt(row.samples)})`,
    );
  }
  log(
    `readers:   CPU per write (µs, ${options.followers} followers): ${Object.entries(cpuPerWrite)
      .map(([label, us]) => `${label} ${us.toFixed(0)} (${Math.round(shares[label] * 100)}%)`)
      .join(', ')}; load average ${loadBefore.toFixed(1)} → ${loadAfter.toFixed(1)}`,
  );
  const all = stageRow('', latencies);
  return {
    followers: options.followers,
    ratePerSec: acked.size / writeSeconds,
    events: latencies.length,
    p50Ms: all.p50Ms,
    p99Ms: all.p99Ms,
    maxMs: all.maxMs,
    warmP99Ms,
    stages,
    cpuPerWrite,
    loadAverage: [loadBefore, loadAfter],
  };
}

function stageRow(stage: string, values: number[]): StageRow {
  const sorted = Float64Array.from(values).sort();
  return {
    stage,
    samples: sorted.length,
    p50Ms: percentile(sorted, 50),
    p99Ms: percentile(sorted, 99),
    maxMs: sorted.length ? sorted[sorted.length - 1] : NaN,
  };
}

/** The replica the API's shared feed follows now (its metric), or undefined. */
async function feedReplicaId(api: string): Promise<string | undefined> {
  const text = await (await fetch(`${api}/metrics`)).text();
  return /^distilled_api_stream_feed_replica\{replica="([^"]+)"\} 1/m.exec(text)?.[1];
}

async function idleFollowers(
  api: string,
  count: number,
): Promise<NonNullable<ReaderResults['idle']>> {
  const metric = async (name: string) => {
    try {
      const text = await (await fetch(`${api}/metrics`)).text();
      const line = text.split('\n').find((l) => l.startsWith(`${name} `));
      return line ? Number(line.split(' ').pop()) : NaN;
    } catch {
      return NaN; // the API refused this connection too: unknown, not fatal
    }
  };
  const rssBeforeBytes = await metric('distilled_api_process_resident_memory_bytes');
  const streams: http.ClientRequest[] = [];
  // A follower the API refuses (e.g. past DISTILLED_API_MAX_CONNECTIONS) is counted and
  // reported, not a crash of the whole run.
  let refused = 0;
  let firstRefusal: string | undefined;
  for (let i = 0; i < count; i++) {
    const req = http.get(`${api}/Data/Stream?offset=end`, { agent: false }, (res) => {
      if (res.statusCode !== 200) {
        refused++;
        firstRefusal ??= `HTTP ${res.statusCode}`;
      }
      res.resume();
      res.on('error', () => undefined);
    });
    req.on('error', (error) => {
      refused++;
      firstRefusal ??= error.message;
    });
    streams.push(req);
    if (i % 100 === 99) await new Promise((r) => setTimeout(r, 50));
  }
  const deadline = Date.now() + 30_000;
  while (
    (await metric('distilled_api_stream_connections')) < count - refused &&
    Date.now() < deadline
  ) {
    await new Promise((r) => setTimeout(r, 200));
  }
  const connected = await metric('distilled_api_stream_connections');
  const rssAfterBytes = await metric('distilled_api_process_resident_memory_bytes');
  const heapUsedBytes = await metric('distilled_api_nodejs_heap_size_used_bytes');
  for (const req of streams) req.destroy();
  return {
    followers: count,
    connected,
    refused,
    firstRefusal,
    rssBeforeBytes,
    rssAfterBytes,
    heapUsedBytes,
  };
}

export function readerOptions(args: Args): ReaderOptions {
  return {
    messages: args.number('messages', 200_000),
    readRounds: Math.max(1, Math.round(args.number('read-rounds', 3))),
    warmRounds: Math.max(0, Math.round(args.number('warm-rounds', 1))),
    latencySeconds: args.number('latency-seconds', 5),
    latencyWarmupSeconds: args.number('latency-warmup-seconds', 3),
    followers: args.number('followers', 100),
    ratePerSec: args.number('rate', 1000),
    idleFollowers: args.number('idle', 1000),
    rangeOnly: rangeOnly(args),
  };
}

/** The markdown rows of the section (the suite prints them under its table). */
export function readerRows(r: ReaderResults): string[] {
  const rows = [
    `| Range bulk read, limit=1000, 4 readers | ${fmtInt(r.rangeMessagesPerSec)} messages/s${rounds(r.rangeRounds, r.rangeWarmRounds)} | target ≥ 300,000 (2x NATS JetStream R3's ordered consumer here) |`,
    ...(r.rangeCpu
      ? [`| Range, CPU per message | ${describeCpu(r.rangeCpu)} | gen = the load generator |`]
      : []),
    `| Range bulk read, limit=1000, one connection | ${fmtInt(r.drainMessagesPerSec)} messages/s${rounds(r.drainRounds, r.drainWarmRounds)} | the suite's drain: 2x JetStream's ordered consumer in the same run |`,
    ...(r.drainCpu
      ? [`| Range one connection, CPU per message | ${describeCpu(r.drainCpu)} | |`]
      : []),
  ];
  if (r.streamRounds.length > 0) {
    rows.push(
      `| one SSE stream, bulk read | ${fmtInt(r.streamMessagesPerSec)} messages/s${rounds(r.streamRounds, r.streamWarmRounds)} | target ≥ 300,000 |`,
      ...(r.streamCpu
        ? [`| one SSE stream, CPU per message | ${describeCpu(r.streamCpu)} | |`]
        : []),
    );
  }
  if (r.latency) {
    rows.push(
      `| ack → event, ${r.latency.followers} followers at ${fmtInt(r.latency.ratePerSec)} writes/s (achieved) | p50 ${fmtMs(r.latency.p50Ms)} ms, p99 ${fmtMs(r.latency.p99Ms)} ms, max ${fmtMs(r.latency.maxMs)} ms over ${fmtInt(r.latency.events)} events${r.latency.warmP99Ms.length ? `; warm-up (not in medians) p99 ${r.latency.warmP99Ms.map(fmtMs).join(', ')} ms` : ''} | target p99 ≤ 20 ms; from the writer reading its answer, so an event that reached the followers first counts below 0 |`,
    );
  }
  if (r.idle) {
    rows.push(
      `| API memory, ${fmtInt(r.idle.followers)} idle followers | RSS ${(r.idle.rssBeforeBytes / 2 ** 20).toFixed(0)} → ${(r.idle.rssAfterBytes / 2 ** 20).toFixed(0)} MiB, heap used ${(r.idle.heapUsedBytes / 2 ** 20).toFixed(0)} MiB, ${fmtInt(r.idle.connected)} connected | bounded${r.idle.refused ? `; ${fmtInt(r.idle.refused)} refused (${r.idle.firstRefusal})` : ''} |`,
    );
  }
  return rows;
}

/** `--only range`: the two Range reads alone (any other `--only` value is the suite's). */
function rangeOnly(args: Args): boolean {
  return args.string('only', '') === 'range';
}

/** ", median of N passes (a, b, c)" when there was more than one, and the untimed passes. */
function rounds(rates: number[], warm: number[]): string {
  const counted =
    rates.length < 2 ? '' : `, median of ${rates.length} passes (${rates.map(fmtInt).join(', ')})`;
  return warm.length
    ? `${counted}; warm-up (not in medians) ${warm.map(fmtInt).join(', ')}`
    : counted;
}

export const READER_HEADER = ['| reading | result | note |', '| --- | --- | --- |'];

/**
 * `npm run bench -- readers`: its own cluster, the measurements, the table. With `--profile`,
 * CPU profiles of the replicas and the API over the latency phase (from its first write to
 * shutdown; with `--only range`, over the one-connection reads), summarized after the table.
 */
export async function run(argv: string[]): Promise<void> {
  const args = new Args(argv);
  const profileDir = args.has('profile')
    ? join(
        'bench',
        'results',
        'profiles',
        `readers-${new Date().toISOString().replace(/[:.]/g, '-')}`,
      )
    : undefined;
  const bench = await BenchCluster.start({ ...standardCluster(args), profileDir });
  const names = bench.nodeProcesses();
  try {
    const results = await measureReaders(bench, readerOptions(args));
    console.log(
      `\n### Reading — 3 replicas, MIN_INSYNC=2, fsync always, ${fmtInt(results.messages)} messages of 100 B\n`,
    );
    for (const line of [...READER_HEADER, ...readerRows(results)]) console.log(line);
  } finally {
    await bench.stop();
    if (profileDir) {
      saveProcessNames(profileDir, names);
      const phase = readerOptions(args).rangeOnly ? 'one-connection Range reads' : 'latency phase';
      console.log(`\n### CPU profiles of the ${phase} — ${profileDir}\n`);
      printProfiles(summarizeProfiles(profileDir, names));
    }
  }
}
