/**
 * The Distilled benchmark suite (the default of `npm run bench`): closed-loop appends and
 * random reads through the HTTP API and through the replicas' gRPC API, on a 3-replica
 * cluster it starts itself (MIN_INSYNC=2, fsync always), next to two ceilings measured in the
 * same run on the same machine: a bare Fastify server in its own process, and a raw
 * write+fdatasync loop. Prints one markdown table (medians over --repeat rounds, ratios to the
 * ceilings taken per round) and writes every sample to bench/results/suite-<time>.json.
 *
 *   npm run bench [-- --duration 2 --warmup 1 --repeat 3 --concurrency 1,64 --sizes 100,1k]
 *
 * See bench/README.md for every flag.
 */
import { spawn, type ChildProcess, execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { clusterGrpcSecurity, repoRoot } from '@distilled/launcher';
import * as ts from 'typescript';
import { Args } from './lib/args';
import { closedLoop, type LoopResult } from './lib/closed-loop';
import { BenchCluster, nodeArgsFlags } from './lib/cluster';
import { type PidMap, rssBytes } from './lib/proc';
import {
  printProfiles,
  saveProcessNames,
  summarizeProfiles,
  type ProfileSummary,
} from './lib/profile';
import { rawSyncLoop } from './lib/raw-sync';
import { fmtBytes, fmtInt, fmtMs, fmtPct, median, WARM_UP_LABEL } from './lib/stats';
import { GrpcWorkers, HttpWorkers, OffsetRange } from './lib/targets';
import { JetStreamPeer } from './peers/jetstream';
import { measureWrites, printWrites, type WriteSample } from './writes';
import {
  measureReaders,
  READER_HEADER,
  readerOptions,
  readerRows,
  type ReaderResults,
} from './readers';

/**
 * `fastify-lean`: the same bare Fastify with the API's Node 20 fix (a lean AsyncResource.bind,
 * apps/api/src/http/lean-async-resource-bind.ts), so the API is also compared like for like.
 */
type Path = 'fastify' | 'fastify-lean' | 'fsync' | 'http' | 'grpc' | 'jetstream';
/** `writes`: POST /Data/Batch and the Idempotency-Key A/B (bench/writes.ts), once per round. */
type Section = Path | 'writes' | 'readers';
/** `stream append`: Replica.AppendStream, every worker's append a message on one shared stream. */
type Op = 'append' | 'stream append' | 'read';
const OP_ORDER: Op[] = ['append', 'stream append', 'read'];

interface Sample {
  round: number;
  opsPerSec: number;
  ops: number;
  errors: number;
  errorSamples: string[];
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  seconds: number;
  /** CPU per process label (gen, api, L, F1, F2, etcd, fastify), fraction of one core. */
  cpu: Record<string, number>;
  leader?: string;
  /** RSS per process label at the end of the window, bytes. */
  rss?: Record<string, number>;
}

interface Row {
  path: Path;
  /** Measured in a warm-up round (--warm-rounds): printed beside the rounds, never in a median. */
  warm: boolean;
  op: Op;
  concurrency: number;
  size: number;
  samples: Sample[];
  /** Per-round ratio to the Fastify ceiling of the same C and size. */
  fastifyRatios: number[];
  /** Per-round ratio to the lean-bind Fastify ceiling (the runtime the API runs on); POST only. */
  leanRatios: number[];
  /** Per-round ratio to the raw fdatasync ceiling (C records of this size per sync). */
  fsyncRatios: number[];
  /** HTTP rows: per-round ratio to the JetStream peer's same op, C and size. */
  peerRatios: number[];
}

const REFERENCE = [
  'bare Node http: 4,300/s at C=1 (0.21 ms), 32,000/s at C=64',
  'NATS JetStream R3: 1,580/s at C=1 (0.59 ms), 10,800/s at C=64 (p99 16 ms), 11,000 reads/s',
  'etcd: 790/s at C=1, 2,540/s at C=64, 3,100 reads/s',
  'raw fdatasync: 5,600 syncs/s, 280,000 records/s at 64 per sync',
];

const PATH_LABEL: Record<Path, string> = {
  fastify: 'ceiling: bare Fastify, own process',
  'fastify-lean': 'ceiling: bare Fastify + the API’s lean bind',
  fsync: 'ceiling: write+fdatasync',
  http: 'HTTP API `/Data`',
  grpc: 'gRPC `Replica.*` direct',
  jetstream: 'peer: NATS JetStream R3 (sync publish / direct get)',
};

export async function run(argv: string[]): Promise<void> {
  const args = new Args(argv);
  if (args.has('help')) {
    console.log(
      'npm run bench [-- --duration s --warmup s --repeat n --concurrency 1,64 --sizes 100,1k\n' +
        '                 --grpc-channels n --replicas n --min-insync n --fsync always|interval|never\n' +
        '                 --only http,grpc,fastify,fastify-lean,fsync,writes,readers --dist dir --profile --verbose --note text\n' +
        '                 --warm-rounds n (untimed rounds of every cell before round 1; default 1)\n' +
        '                 --write-warmup s --write-duration s (the write loads and the batched row; default 8, 4)\n' +
        '                 --no-peers --tls --api-keys]\n' +
        '                 readers: --messages n --latency-seconds s --followers n --rate n --idle n',
    );
    return;
  }
  const config = {
    durationS: args.number('duration', 2),
    warmupS: args.number('warmup', 1),
    /**
     * The write loads (the writes section and the batched row of both systems) are measured in
     * steady state: a fresh Node process needs many seconds of sustained batches before its
     * rate settles (batch-cycle on one build: 46-52k msg/s after 1 s, 130k after 8 s, 146-153k
     * after 25-30 s; bench/RESULTS.md session 13), and a log serves its writers for hours.
     */
    writeWarmupS: args.number('write-warmup', 8),
    writeDurationS: args.number('write-duration', 4),
    fsyncDurationS: args.number('fsync-duration', 1),
    repeat: Math.max(1, Math.round(args.number('repeat', 3))),
    /**
     * Untimed rounds of every cell (Distilled's and the peer's alike) before round 1, so each
     * median is the steady state of processes that have seen every request shape: a later
     * cell's new shape deoptimizes what a per-cell warm-up warmed (bench/RESULTS.md).
     */
    warmRounds: Math.max(0, Math.round(args.number('warm-rounds', 1))),
    concurrency: args.list('concurrency', [1, 64]),
    sizes: args.list('sizes', [100, 1024]),
    grpcChannels: Math.max(1, Math.round(args.number('grpc-channels', 1))),
    replicas: args.number('replicas', 3),
    minInsync: args.number('min-insync', 2),
    fsync: args.string('fsync', 'always') as 'always' | 'interval' | 'never',
    only: args
      .string('only', 'fastify,fastify-lean,fsync,http,grpc,writes,readers')
      .split(',') as Section[],
    profile: args.has('profile'),
    /** The NATS JetStream peer rows (bench/peers/), measured in the same rounds. */
    peers: !args.has('no-peers'),
    /** HTTPS for the API and mutual TLS for gRPC (a throwaway CA): the http and grpc rows. */
    tls: args.has('tls'),
    /**
     * The API runs with ten API keys and every HTTP call sends one (the cost of the key check,
     * against a run without the flag); the readers rows do not send keys, so they are refused.
     */
    apiKeys: args.has('api-keys'),
    /** Free text kept in the JSON and printed under the title (e.g. which build ran). */
    note: args.has('note') ? args.string('note', '') : undefined,
  };
  const enabled = (path: Section) => config.only.includes(path);
  if (config.tls && config.only.some((section) => section === 'writes' || section === 'readers')) {
    throw new Error(
      '--tls measures the http and grpc rows only: add --only http,grpc (and ceilings)',
    );
  }
  const writeSamples: WriteSample[] = [];
  // The reading rows (bench/readers.ts) run once, after the rounds, on the same cluster.
  const readersEnabled = (config.only as string[]).includes('readers');
  if (config.apiKeys && readersEnabled) {
    throw new Error('--api-keys measures the http and writes rows: add --only without readers');
  }
  let readers: ReaderResults | undefined;
  const stamp = new Date()
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
  const resultsDir = join(repoRoot(), 'bench', 'results');
  const profileDir = config.profile ? join(resultsDir, 'profiles', stamp) : undefined;
  const startedAt = new Date();
  const loadBefore = os.loadavg();
  const log = (line: string) => process.stderr.write(`${line}\n`);

  const rows = new Map<string, Row>();
  const warmRows = new Map<string, Row>();
  const rowKey = (path: Path, op: Op, concurrency: number, size: number) =>
    `${path}|${op}|${concurrency}|${size}`;
  // Switched per round: a warm-up round's samples go to warmRows, out of every median.
  let warm = false;
  const row = (path: Path, op: Op, concurrency: number, size: number): Row => {
    const key = rowKey(path, op, concurrency, size);
    const table = warm ? warmRows : rows;
    let found = table.get(key);
    if (!found) {
      found = {
        path,
        warm,
        op,
        concurrency,
        size,
        samples: [],
        fastifyRatios: [],
        leanRatios: [],
        fsyncRatios: [],
        peerRatios: [],
      };
      table.set(key, found);
    }
    return found;
  };
  const cellTiming = { warmupMs: config.warmupS * 1000, durationMs: config.durationS * 1000 };
  const loop = (
    concurrency: number,
    op: Parameters<typeof closedLoop>[0]['op'],
    pids: PidMap,
    timing = cellTiming,
  ) => closedLoop({ concurrency, op, pids, ...timing });
  const writeTiming = {
    warmupMs: config.writeWarmupS * 1000,
    durationMs: config.writeDurationS * 1000,
  };

  log(`starting: fastify ceiling, etcd + ${config.replicas} replicas + API ...`);
  const fastify = enabled('fastify') ? await startFastify(false) : undefined;
  const fastifyLean = enabled('fastify-lean') ? await startFastify(true) : undefined;
  const needCluster = enabled('http') || enabled('grpc') || enabled('writes') || readersEnabled;
  let bench: BenchCluster | undefined;
  let profiles: ProfileSummary[] = [];
  let peer: JetStreamPeer | undefined;
  try {
    bench = needCluster
      ? await BenchCluster.start({
          replicas: config.replicas,
          minInsync: config.minInsync,
          fsync: config.fsync,
          api: enabled('http') || enabled('writes') || readersEnabled,
          distDir: args.has('dist') ? args.string('dist', '') : undefined,
          profileDir,
          verbose: args.has('verbose'),
          tls: config.tls,
          apiKeys: config.apiKeys,
          ...nodeArgsFlags(args),
        })
      : undefined;
    peer =
      config.peers && enabled('http')
        ? await JetStreamPeer.start({ ...cellTiming, batch: writeTiming }, log)
        : undefined;
    const scratch = bench?.cluster.dataRoot ?? os.tmpdir();
    // With --tls the HTTP workers trust the cluster's CA and the gRPC ones present its certificate.
    const tlsFiles = bench?.tls;
    const tlsCa = tlsFiles ? readFileSync(tlsFiles.ca) : undefined;
    const grpcSecurity = clusterGrpcSecurity(tlsFiles);
    if (profileDir) await bench?.resetProfiles();

    // Rounds 1 - warmRounds .. 0 are the warm-up: every cell runs, nothing enters a median.
    for (let round = 1 - config.warmRounds; round <= config.repeat; round++) {
      warm = round < 1;
      const roundName = warm ? 'warm-up' : `round ${round}`;
      if (bench?.cluster.api && enabled('writes')) {
        const { pids } = await bench.pids();
        const measured = await measureWrites(
          bench.cluster.api.url,
          bench.apiHeaders,
          round,
          (c, op) => loop(c, op, pids, writeTiming),
        );
        for (const w of measured) {
          log(`${roundName}: ${w.case}: ${fmtInt(w.messagesPerSec)} messages/s`);
        }
        writeSamples.push(...measured);
      }
      for (const size of config.sizes) {
        for (const concurrency of config.concurrency) {
          const tag = `${warm ? 'warm-up' : `round ${round}/${config.repeat}`}, C=${concurrency}, ${fmtBytes(size)}`;
          let fastifyRate = NaN;
          let leanRate = NaN;
          let fsyncRate = NaN;

          // The two Fastify ceilings swap places every round, so drift favours neither.
          const ceilings = round % 2 === 1 ? [fastify, fastifyLean] : [fastifyLean, fastify];
          for (const ceiling of ceilings) {
            if (!ceiling) continue;
            const lean = ceiling === fastifyLean;
            const workers = new HttpWorkers(ceiling.origin, concurrency);
            const result = await loop(concurrency, workers.append(size, new OffsetRange()), {
              fastify: ceiling.child.pid,
            });
            await workers.close();
            row(lean ? 'fastify-lean' : 'fastify', 'append', concurrency, size).samples.push(
              toSample(round, result),
            );
            if (lean) leanRate = result.opsPerSec;
            else fastifyRate = result.opsPerSec;
            log(`${tag}: fastify${lean ? ' (lean bind)' : ''} POST ${describe(result)}`);
          }

          if (enabled('fsync')) {
            const raw = rawSyncLoop(scratch, concurrency, size, config.fsyncDurationS);
            row('fsync', 'append', concurrency, size).samples.push({
              round,
              opsPerSec: raw.recordsPerSec,
              ops: Math.round(raw.recordsPerSec * raw.seconds),
              errors: 0,
              errorSamples: [],
              p50Ms: raw.p50Ms,
              p99Ms: raw.p99Ms,
              maxMs: raw.maxMs,
              seconds: raw.seconds,
              cpu: {},
            });
            fsyncRate = raw.recordsPerSec;
            log(
              `${tag}: raw ${concurrency} x ${size} B per fdatasync: ${fmtInt(raw.syncsPerSec)} syncs/s, ${fmtInt(raw.recordsPerSec)} records/s`,
            );
          }

          let httpAppendRow: Row | undefined;
          let httpReadRow: Row | undefined;
          if (bench && enabled('http') && bench.cluster.api) {
            const { pids, leaderId } = await bench.pids();
            const written = new OffsetRange();
            const workers = new HttpWorkers(
              bench.cluster.api.url,
              concurrency,
              bench.apiHeaders,
              tlsCa,
            );
            const append = await loop(concurrency, workers.append(size, written), pids);
            const appendRow = row('http', 'append', concurrency, size);
            httpAppendRow = appendRow;
            appendRow.samples.push(toSample(round, append, leaderId, pids));
            appendRow.fastifyRatios.push(append.opsPerSec / fastifyRate);
            appendRow.leanRatios.push(append.opsPerSec / leanRate);
            appendRow.fsyncRatios.push(append.opsPerSec / fsyncRate);
            log(`${tag}: HTTP POST ${describe(append)}`);
            if (!written.empty) {
              const read = await loop(concurrency, workers.read(written), pids);
              const readRow = row('http', 'read', concurrency, size);
              httpReadRow = readRow;
              readRow.samples.push(toSample(round, read, leaderId, pids));
              readRow.fastifyRatios.push(read.opsPerSec / fastifyRate);
              log(`${tag}: HTTP GET ${describe(read)}`);
            }
            await workers.close();
          }

          if (peer) {
            // Right after Distilled's rows of the same C and size: the ratio is per round.
            const { append, read } = await peer.single(concurrency, size);
            row('jetstream', 'append', concurrency, size).samples.push(toSample(round, append));
            httpAppendRow?.peerRatios.push(
              httpAppendRow.samples[httpAppendRow.samples.length - 1].opsPerSec / append.opsPerSec,
            );
            log(`${tag}: JetStream publish ${describe(append)}`);
            if (read) {
              row('jetstream', 'read', concurrency, size).samples.push(toSample(round, read));
              httpReadRow?.peerRatios.push(
                httpReadRow.samples[httpReadRow.samples.length - 1].opsPerSec / read.opsPerSec,
              );
              log(`${tag}: JetStream direct get ${describe(read)}`);
            }
          }

          if (bench && enabled('grpc')) {
            const { pids, leaderId } = await bench.pids();
            const leader = await bench.leader();
            const written = new OffsetRange();
            const workers = new GrpcWorkers(
              leader.address,
              bench.cluster.runningReplicas.map((replica) => replica.address),
              Math.min(config.grpcChannels, concurrency),
              grpcSecurity,
            );
            await workers.ready();
            const append = await loop(concurrency, workers.append(size, written), pids);
            const appendRow = row('grpc', 'append', concurrency, size);
            appendRow.samples.push(toSample(round, append, leaderId, pids));
            appendRow.fsyncRatios.push(append.opsPerSec / fsyncRate);
            log(`${tag}: gRPC Append ${describe(append)}`);
            const streamed = await loop(concurrency, workers.appendStream(size, written), pids);
            const streamRow = row('grpc', 'stream append', concurrency, size);
            streamRow.samples.push(toSample(round, streamed, leaderId, pids));
            streamRow.fsyncRatios.push(streamed.opsPerSec / fsyncRate);
            log(`${tag}: gRPC AppendStream ${describe(streamed)}`);
            if (!written.empty) {
              const read = await loop(concurrency, workers.read(written), pids);
              row('grpc', 'read', concurrency, size).samples.push(
                toSample(round, read, leaderId, pids),
              );
              log(`${tag}: gRPC Read ${describe(read)}`);
            }
            workers.close();
          }
        }
      }
      if (peer) await peer.bulkRound(bench?.cluster.api?.url, config.sizes[0], warm);
    }
    if (bench?.cluster.api && readersEnabled) {
      readers = await measureReaders(bench, readerOptions(args));
    }
  } finally {
    await peer?.stop();
    const names = bench?.nodeProcesses() ?? new Map<number, string>();
    await bench?.stop();
    fastify?.child.kill('SIGTERM');
    fastifyLean?.child.kill('SIGTERM');
    if (profileDir) {
      try {
        saveProcessNames(profileDir, names);
        profiles = summarizeProfiles(profileDir, names);
      } catch (error) {
        log(`could not read profiles in ${profileDir}: ${String(error)}`);
      }
    }
  }

  const finishedAt = new Date();
  const ordered = [...rows.values()].sort(
    (a, b) =>
      order(a.path) - order(b.path) ||
      a.size - b.size ||
      a.concurrency - b.concurrency ||
      OP_ORDER.indexOf(a.op) - OP_ORDER.indexOf(b.op),
  );
  const summary = ordered.map((r) =>
    summarize(r, warmRows.get(rowKey(r.path, r.op, r.concurrency, r.size))),
  );
  for (const s of summary) s.target = target(s, summary);

  console.log(
    `\n### Distilled benchmark — ${config.replicas} replicas, MIN_INSYNC=${config.minInsync}, fsync ${config.fsync}; ` +
      `closed loop, ${config.warmupS}s warm-up + ${config.durationS}s per cell (write loads and the batched row: ${config.writeWarmupS}s + ${config.writeDurationS}s), median of ${config.repeat} round(s)` +
      ` after ${config.warmRounds} untimed warm-up round(s) of every cell\n`,
  );
  console.log(
    `${os.cpus().length} × ${os.cpus()[0]?.model ?? 'CPU'}, ${fmtBytes(os.totalmem())} RAM, node ${process.version}, ` +
      `load average ${loadBefore.map((l) => l.toFixed(1)).join(' ')} at start; ${startedAt.toISOString()}` +
      (config.apiKeys ? '; API keys on (10 keys, every call sends one)' : '') +
      (config.note ? `; ${config.note}` : '') +
      '\n',
  );
  console.log(
    '| path | op | C | size | ops/s | p50 ms | p99 ms | max ms | errors | ÷ Fastify | ÷ Fastify lean | ÷ fdatasync | ÷ JetStream R3 (per round) | CPU % of a core (gen · api · leader · followers · etcd · other) | target |',
  );
  console.log(
    '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- | --- |',
  );
  for (const s of summary) {
    console.log(
      `| ${PATH_LABEL[s.path]} | ${s.path === 'fsync' ? `${s.concurrency} rec/sync` : s.op} | ${s.concurrency} | ${fmtBytes(s.size)} | ` +
        `${fmtInt(s.opsPerSec)}${s.path === 'fsync' ? ' rec/s' : ''} | ${fmtMs(s.p50Ms)} | ${fmtMs(s.p99Ms)} | ${fmtMs(s.maxMs)} | ${s.errors} | ` +
        `${fmtPct(s.fastifyRatio)} | ${fmtPct(s.leanRatio)} | ${fmtPct(s.fsyncRatio)} | ${peerText(s.peerRatios, s.warmPeerRatios)} | ${cpuText(s.cpu)} | ${s.target?.text ?? ''} |`,
    );
  }
  console.log(
    '\nops/s, p50, p99 and CPU are medians over rounds; max is the worst of any round; errors are summed. ' +
      'Ratios are taken per round against the ceiling measured just before (same C and size), then the median. ' +
      'fdatasync rows: records/s and per-sync latency, C records of that size per write+fdatasync. ' +
      '"gen" is this load generator; "other" is the rest of the machine (host busy minus the processes listed).',
  );
  console.log(`\nReference figures measured earlier on this machine: ${REFERENCE.join('; ')}.`);
  if (writeSamples.length) printWrites(writeSamples);
  if (readers) {
    console.log(
      `\n### Reading (${fmtInt(readers.messages)} messages of 100 B; bench/readers.ts)\n`,
    );
    for (const line of [...READER_HEADER, ...readerRows(readers)]) console.log(line);
  }

  const errorNotes = summary.filter((s) => s.errorSamples.length > 0);
  for (const s of errorNotes) {
    console.log(
      `\nerrors in ${s.path} ${s.op} C=${s.concurrency} ${fmtBytes(s.size)}: ${s.errorSamples.join(' | ')}`,
    );
  }
  peer?.printBulk();
  if (profiles.length) {
    console.log(
      `\n### CPU profiles (top self time, from the first measurement to shutdown) — ${profileDir}`,
    );
    printProfiles(profiles);
  }

  mkdirSync(resultsDir, { recursive: true });
  const file = join(resultsDir, `suite-${stamp}.json`);
  writeFileSync(
    file,
    JSON.stringify(
      {
        kind: 'suite',
        startedAt: startedAt.toISOString(),
        finishedAt: finishedAt.toISOString(),
        git: gitInfo(),
        machine: {
          cpus: os.cpus().length,
          cpuModel: os.cpus()[0]?.model,
          totalMemBytes: os.totalmem(),
          kernel: os.release(),
          node: process.version,
          loadAverageStart: loadBefore,
          loadAverageEnd: os.loadavg(),
        },
        config,
        reference: REFERENCE,
        summary,
        rows: ordered,
        warmRows: [...warmRows.values()],
        peerBulk: peer?.bulkRows(),
        writes: writeSamples,
        profiles,
        readers,
      },
      null,
      2,
    ) + '\n',
  );
  console.log(
    `\nresults: ${file} (${((finishedAt.getTime() - startedAt.getTime()) / 1000).toFixed(0)} s)`,
  );
}

function order(path: Path): number {
  return ['fastify', 'fastify-lean', 'fsync', 'http', 'jetstream', 'grpc'].indexOf(path);
}

function toSample(round: number, result: LoopResult, leader?: string, pids?: PidMap): Sample {
  const rss: Record<string, number> = {};
  for (const [label, pid] of Object.entries(pids ?? {})) if (pid) rss[label] = rssBytes(pid);
  return {
    round,
    opsPerSec: result.opsPerSec,
    ops: result.ops,
    errors: result.errors,
    errorSamples: result.errorSamples,
    p50Ms: result.p50Ms,
    p99Ms: result.p99Ms,
    maxMs: result.maxMs,
    seconds: result.seconds,
    cpu: result.cpu,
    leader,
    rss: pids ? rss : undefined,
  };
}

function describe(result: LoopResult): string {
  return (
    `${fmtInt(result.opsPerSec)}/s, p50 ${fmtMs(result.p50Ms)} ms, p99 ${fmtMs(result.p99Ms)} ms, ` +
    `max ${fmtMs(result.maxMs)} ms, ${result.errors} errors; CPU ${cpuText(result.cpu)}` +
    (result.errorSamples.length ? `; first error: ${result.errorSamples[0]}` : '')
  );
}

function cpuText(cpu: Record<string, number>): string {
  const pct = (label: string) =>
    cpu[label] === undefined || !Number.isFinite(cpu[label])
      ? undefined
      : Math.round(cpu[label] * 100);
  const parts: string[] = [];
  for (const label of ['gen', 'fastify', 'api', 'L']) {
    const value = pct(label);
    if (value !== undefined) parts.push(label === 'L' ? `L ${value}` : `${label} ${value}`);
  }
  const followers = Object.keys(cpu)
    .filter((label) => /^F\d+$/.test(label))
    .sort()
    .map(pct)
    .filter((v) => v !== undefined);
  if (followers.length) parts.push(`F ${followers.join('/')}`);
  const etcd = pct('etcd');
  if (etcd !== undefined) parts.push(`etcd ${etcd}`);
  const other = pct('other');
  if (other !== undefined) parts.push(`other ${other}`);
  return parts.join(' · ');
}

interface Target {
  text: string;
  pass: boolean;
}

interface RowSummary {
  path: Path;
  op: Op;
  concurrency: number;
  size: number;
  rounds: number;
  opsPerSec: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  errors: number;
  errorSamples: string[];
  fastifyRatio: number;
  leanRatio: number;
  fsyncRatio: number;
  peerRatios: number[];
  /** The warm-up rounds' ratios to JetStream: shown, not in the median. */
  warmPeerRatios: number[];
  cpu: Record<string, number>;
  leaders: string[];
  target?: Target;
}

function summarize(r: Row, warmed: Row | undefined): RowSummary {
  const labels = new Set(r.samples.flatMap((s) => Object.keys(s.cpu)));
  const cpu: Record<string, number> = {};
  for (const label of labels) cpu[label] = median(r.samples.map((s) => s.cpu[label] ?? NaN));
  const s: RowSummary = {
    path: r.path,
    op: r.op,
    concurrency: r.concurrency,
    size: r.size,
    rounds: r.samples.length,
    opsPerSec: median(r.samples.map((x) => x.opsPerSec)),
    p50Ms: median(r.samples.map((x) => x.p50Ms)),
    p99Ms: median(r.samples.map((x) => x.p99Ms)),
    maxMs: Math.max(...r.samples.map((x) => (Number.isFinite(x.maxMs) ? x.maxMs : 0))),
    errors: r.samples.reduce((sum, x) => sum + x.errors, 0),
    errorSamples: [...new Set(r.samples.flatMap((x) => x.errorSamples))].slice(0, 5),
    fastifyRatio: median(r.fastifyRatios),
    leanRatio: median(r.leanRatios),
    fsyncRatio: median(r.fsyncRatios),
    peerRatios: r.peerRatios,
    warmPeerRatios: warmed?.peerRatios ?? [],
    cpu,
    leaders: [...new Set(r.samples.map((x) => x.leader).filter((x): x is string => !!x))],
  };
  return s;
}

/**
 * "1.05x (0.98, 1.05, 1.10; warm-up (not in medians) 0.52)": the median ratio to JetStream,
 * each round's, and the warm-up rounds' apart.
 */
function peerText(ratios: number[], warmRatios: number[]): string {
  if (ratios.length === 0) return '';
  const warmText = warmRatios.length
    ? `; ${WARM_UP_LABEL} ${warmRatios.map((r) => r.toFixed(2)).join(', ')}`
    : '';
  return `${median(ratios).toFixed(2)}x (${ratios.map((r) => r.toFixed(2)).join(', ')}${warmText})`;
}

/** The issue's targets (3 replicas, MIN_INSYNC=2, fsync always), for the rows they are about. */
function target(s: RowSummary, all: RowSummary[]): Target | undefined {
  const mark = (ok: boolean) => (ok ? '✅' : '❌');
  if (s.size !== 100) return undefined;
  const peer = all.find(
    (p) =>
      p.path === 'jetstream' &&
      p.op === s.op &&
      p.concurrency === s.concurrency &&
      p.size === s.size,
  );
  if (s.path === 'http' && peer) return peerTarget(s, peer, mark);
  if (s.path === 'http' && s.op === 'append' && s.concurrency === 64) {
    const checks: [boolean, string][] = [
      [s.opsPerSec >= 16_000, '≥16,000/s'],
      [s.p99Ms < 16, 'p99 <16 ms'],
      // Like for like: the API runs with the lean bind, so its ceiling is Fastify with it too.
      // Without that row (--only without fastify-lean), the stock Fastify ceiling.
      Number.isFinite(s.leanRatio)
        ? [s.leanRatio >= 0.5, '≥50% Fastify lean']
        : [s.fastifyRatio >= 0.5, '≥50% Fastify'],
    ];
    return {
      text: checks.map(([ok, what]) => `${what} ${mark(ok)}`).join(', '),
      pass: checks.every(([ok]) => ok),
    };
  }
  if (s.path === 'http' && s.op === 'read' && s.concurrency === 64) {
    const ok = s.opsPerSec >= 16_000;
    return { text: `≥16,000/s ${mark(ok)}`, pass: ok };
  }
  if (s.path === 'http' && s.op === 'append' && s.concurrency === 1) {
    const ok = s.p50Ms < 1.2;
    return { text: `p50 <1.2 ms ${mark(ok)}`, pass: ok };
  }
  if (s.path === 'grpc' && s.op !== 'read' && s.concurrency === 64) {
    const ok = s.opsPerSec >= 21_600;
    return { text: `≥21,600/s ${mark(ok)}`, pass: ok };
  }
  return undefined;
}

/** Issue 16's targets, against the JetStream peer measured in the same rounds. */
function peerTarget(s: RowSummary, peer: RowSummary, mark: (ok: boolean) => string): Target {
  const ratio = median(s.peerRatios);
  const checks: [boolean, string][] = [];
  if (s.op === 'append' && s.concurrency === 1) {
    checks.push([s.p50Ms <= 2 * peer.p50Ms, 'p50 ≤2x JetStream']);
    checks.push([s.p99Ms < 2, 'p99 <2 ms']);
  } else if (s.op === 'append') {
    checks.push([ratio >= 1, '≥1.0x JetStream']);
    checks.push([s.p99Ms <= peer.p99Ms, 'p99 ≤ JetStream']);
  } else {
    checks.push([ratio >= 1, '≥1.0x JetStream']);
  }
  return {
    text: checks.map(([ok, what]) => `${what} ${mark(ok)}`).join(', '),
    pass: checks.every(([ok]) => ok),
  };
}

function gitInfo(): { commit?: string; dirty?: boolean } {
  try {
    const cwd = repoRoot();
    const commit = execFileSync('git', ['rev-parse', 'HEAD'], { cwd }).toString().trim();
    const dirty =
      execFileSync('git', ['status', '--porcelain', '--', 'apps', 'libs'], { cwd })
        .toString()
        .trim().length > 0;
    return { commit, dirty };
  } catch {
    return {};
  }
}

/**
 * apps/api/src/http/lean-async-resource-bind.ts as plain JavaScript in a temporary file, for the
 * lean ceiling to require without TypeScript or ts-node in its process.
 */
function transpiledLeanBind(): string {
  const source = join(repoRoot(), 'apps', 'api', 'src', 'http', 'lean-async-resource-bind.ts');
  const { outputText } = ts.transpileModule(readFileSync(source, 'utf8'), {
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 },
    fileName: source,
  });
  const file = join(mkdtempSync(join(os.tmpdir(), 'distilled-lean-bind-')), 'lean-bind.js');
  writeFileSync(file, outputText);
  return file;
}

/** Spawns bench/lib/fastify-ceiling.js (with the API's lean bind, or stock) and waits for its port. */
async function startFastify(leanBind: boolean): Promise<{ child: ChildProcess; origin: string }> {
  const script = join(__dirname, 'lib', 'fastify-ceiling.js');
  const leanBindFile = leanBind ? transpiledLeanBind() : undefined;
  const argv = leanBindFile ? [script, `--lean-bind=${leanBindFile}`] : [script];
  const child = spawn(process.execPath, argv, {
    cwd: repoRoot(),
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  // Dies with us: its stdin closes when this process exits, however it exits.
  const port = await new Promise<number>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    lines.once('line', (line) => {
      try {
        resolve((JSON.parse(line) as { port: number }).port);
      } catch (error) {
        reject(error as Error);
      }
    });
    child.once('exit', (code) => reject(new Error(`fastify ceiling exited (${code})`)));
  }).finally(() => {
    // Loaded before it listens (or never will be): the temporary file has done its job.
    if (leanBindFile) rmSync(dirname(leanBindFile), { recursive: true, force: true });
  });
  return { child, origin: `http://127.0.0.1:${port}` };
}
