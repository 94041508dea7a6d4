import { setTimeout as sleep } from 'node:timers/promises';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ResumingFollower } from '../helpers/sse-client';
import { checkHistory, summarize, type CheckResult, type Violation } from './checker';
import { checkFollowers, type FollowerCheck } from './follower-checker';
import {
  readAll,
  readDirect,
  readThroughApi,
  startLiveReader,
  startRangeReaders,
  startWriters,
  type ReadAnswer,
} from './clients';
import { FaultCluster } from './fault-cluster';
import { isRoot } from '../helpers/tmpfs';
import { FAULT_KINDS, History, type FaultKind, type ReadRecord } from './history';
import { NetLab } from './net-lab';
import { Nemesis, waitApiReady } from './nemesis';
import { describeError, seededRandom } from '@distilled/common';

export interface FaultRunConfig {
  seed: number;
  /** How long the nemesis runs. */
  seconds: number;
  writers: number;
  /** SSE followers of GET /Data/Stream (one more joins halfway through the faults). */
  followers: number;
  /** Closed-loop GET /Data/Range readers paging through the log while faults run. */
  rangeReaders: number;
  /** Passes of reads through the API over the whole log after healing. */
  apiReadPasses: number;
  kinds?: FaultKind[];
  maxAddedReplicas: number;
  /** Faults without waiting for the cluster to be whole in between (see Nemesis). */
  overlap: boolean;
  /** Retention on the replicas (DISTILLED_RETENTION_BYTES), with 64 KiB segments; off when undefined. */
  retentionBytes?: number;
  /** HTTPS API and mutual TLS gRPC with a throwaway CA, which every client of the run trusts. */
  tls?: boolean;
}

/** The settings from the environment: DISTILLED_FAULTS_{SEED,SECONDS,WRITERS,FOLLOWERS,RANGE_READERS,API_READS,KINDS,OVERLAP}. */
export function configFromEnv(defaults: { seconds: number }): FaultRunConfig {
  const env = process.env;
  const seed = env.DISTILLED_FAULTS_SEED
    ? Number(env.DISTILLED_FAULTS_SEED)
    : Math.floor(Math.random() * 2 ** 31);
  if (!Number.isInteger(seed)) throw new Error(`DISTILLED_FAULTS_SEED must be an integer`);
  const seconds = Number(env.DISTILLED_FAULTS_SECONDS ?? defaults.seconds);
  const kinds = env.DISTILLED_FAULTS_KINDS?.split(',').map((k) => k.trim()) as
    FaultKind[] | undefined;
  for (const kind of kinds ?? []) {
    if (!FAULT_KINDS.includes(kind))
      throw new Error(
        `unknown fault kind "${kind}" in DISTILLED_FAULTS_KINDS (${FAULT_KINDS.join(', ')})`,
      );
  }
  return {
    seed,
    seconds,
    writers: Number(env.DISTILLED_FAULTS_WRITERS ?? 6),
    followers: Number(env.DISTILLED_FAULTS_FOLLOWERS ?? 3),
    rangeReaders: Number(env.DISTILLED_FAULTS_RANGE_READERS ?? 2),
    apiReadPasses: Number(env.DISTILLED_FAULTS_API_READS ?? 2),
    kinds,
    maxAddedReplicas: seconds > 120 ? 2 : 1,
    overlap: !!env.DISTILLED_FAULTS_OVERLAP && env.DISTILLED_FAULTS_OVERLAP !== '0',
    retentionBytes: env.DISTILLED_FAULTS_RETENTION_BYTES
      ? Number(env.DISTILLED_FAULTS_RETENTION_BYTES)
      : undefined,
  };
}

/**
 * Each replica's tmpfs (disk-full runs). A 30 s run here logs about 0.8 MiB per replica (5,400
 * writes), so a 300 s one about 8: 64 leaves room for a faster machine, longer runs and the
 * 1 MiB space probe, and fallocate still fills it in a blink. tmpfs holds only what is written,
 * so the mounts cost memory only while filled, one at a time.
 */
const FAULT_TMPFS_MB = 64;

export interface FaultRunReport {
  config: FaultRunConfig;
  violations: Violation[];
  check?: CheckResult;
  counts: Map<FaultKind, number>;
  failovers: number[];
  /** How often the replicas said their disk was full / had room again (disk-full runs). */
  diskReports: { full: number; roomAgain: number };
  dataRoot: string;
  summary: string;
  /** What to print when the run failed: the first violation, its context, the faults. */
  failure?: string;
}

/**
 * One fault run: a cluster (etcd, 3 replicas with min in-sync 2, the API), writers and a
 * reader through the API, the nemesis for `seconds`, then heal, converge, read everything back
 * from every replica and through the API, and check. Always stops what it started; leaves the
 * data directory (with every process's log and the history) when the run failed. `signal`
 * abandons the run (the test timed out): the nemesis, the clients and the cluster stop at once
 * and the run rejects, so nothing is left running to keep the test process alive.
 */
export async function runFaults(
  config: FaultRunConfig,
  signal?: AbortSignal,
): Promise<FaultRunReport> {
  const out = (line: string) => process.stdout.write(`${line}\n`);
  out(
    `faults: seed ${config.seed} (replay with DISTILLED_FAULTS_SEED=${config.seed}${config.overlap ? ' DISTILLED_FAULTS_OVERLAP=1' : ''}), ${config.seconds} s of faults, ${config.writers} writers${config.tls ? ', TLS' : ''}`,
  );
  const noNet = NetLab.unavailableReason();
  if (noNet) out(`faults: no partitions in this run: ${noNet}`);
  const diskFull = (config.kinds ?? FAULT_KINDS).includes('disk-full');
  if (diskFull && !isRoot) {
    out('faults: no disk-full in this run: not running as root (it mounts tmpfs data directories)');
  }

  const history = new History();
  const random = seededRandom(config.seed);
  const cluster = await FaultCluster.start({
    label: String(config.seed),
    replicas: 3,
    minInsync: 2,
    partitions: !noNet,
    spareReplicas: config.maxAddedReplicas,
    tmpfsMb: diskFull && isRoot ? FAULT_TMPFS_MB : undefined,
    tls: config.tls,
    // Small segments, so runs roll segments and a damaged tail is a small newest segment.
    replicaEnv:
      config.retentionBytes === undefined
        ? { DISTILLED_SEGMENT_BYTES: String(256 * 1024) }
        : {
            DISTILLED_SEGMENT_BYTES: String(64 * 1024),
            DISTILLED_RETENTION_BYTES: String(config.retentionBytes),
          },
  });
  const violations: Violation[] = [];
  const followers: ResumingFollower[] = [];
  let report: FaultRunReport | undefined;
  const nemesis = new Nemesis(cluster, history, random, {
    kinds: config.kinds,
    maxAddedReplicas: config.maxAddedReplicas,
    overlap: config.overlap,
  });
  let writers: { stop: (graceMs?: number) => Promise<void> } | undefined;
  let reader: { stop: () => Promise<void> } | undefined;
  let rangeReaders: { stop: () => Promise<void> } | undefined;
  let lateJoiner: NodeJS.Timeout | undefined;
  const abandon = () => {
    // The fault in progress ends, then the run skips healing and checking and stops the cluster.
    history.event('note', 'run abandoned: stopping the nemesis and the clients');
    nemesis.stop();
    // No more retries of the messages in flight: each gets its last attempt's outcome.
    void writers?.stop(0);
    void reader?.stop();
    void rangeReaders?.stop();
    clearTimeout(lateJoiner);
    for (const follower of followers) follower.stop();
  };
  signal?.addEventListener('abort', abandon, { once: true });
  try {
    const { transport } = cluster;
    await waitApiReady(cluster.apiUrl, 30_000, transport);
    history.event(
      'note',
      `cluster up: ${cluster.local.replicas.map((r) => `${r.id} at ${r.address}`).join(', ')}; API ${cluster.apiUrl}; data ${cluster.dataRoot}`,
    );
    writers = startWriters(cluster.apiUrl, history, {
      workers: config.writers,
      // With retention, messages of ~400 bytes: a short run then fills and deletes segments.
      prefix:
        config.retentionBytes === undefined
          ? `s${config.seed}`
          : `s${config.seed}-${'p'.repeat(400)}`,
      pauseMs: 5,
      transport,
    });
    reader = startLiveReader(cluster.apiUrl, history, transport);
    rangeReaders = startRangeReaders(cluster.apiUrl, history, config.rangeReaders, transport);
    // Followers from offset 0 for the whole run; one more joins halfway (it starts by catching
    // up through range reads while faults go on).
    for (let i = 0; i < config.followers; i++) {
      followers.push(
        new ResumingFollower(() => cluster.apiUrl, 'offset=0', 100, transport.ca).start(),
      );
    }
    if (config.followers > 0) {
      lateJoiner = setTimeout(
        () =>
          followers.push(
            new ResumingFollower(() => cluster.apiUrl, 'offset=0', 100, transport.ca).start(),
          ),
        (config.seconds * 1000) / 2,
      );
    }
    await sleep(1000);
    try {
      await nemesis.run(Date.now() + config.seconds * 1000);
    } finally {
      clearTimeout(lateJoiner);
      if (nemesis.stuck) {
        violations.push({
          kind: 'not-converged',
          detail: `the cluster did not recover from a fault: ${nemesis.stuck}`,
        });
      }
      if (!signal?.aborted) {
        await nemesis
          .healAll()
          .catch((error: Error) => history.event('note', `heal failed: ${error.message}`));
        // A little more writing on the healed cluster, then stop the clients.
        await nemesis.recover(60_000);
        await sleep(1000);
      }
      await writers.stop();
      await reader.stop();
      await rangeReaders.stop();
    }
    signal?.throwIfAborted();
    history.event('note', 'clients stopped; converging');

    const end = await converge(cluster, 30_000).catch((error: Error) => {
      violations.push({ kind: 'not-converged', detail: error.message });
      return undefined;
    });
    const logEnd =
      end ??
      history.writes.reduce(
        (max, w) => (w.kind === 'acked' ? Math.max(max, w.offset + 1) : max),
        0,
      );
    signal?.throwIfAborted();
    history.event('note', `log ends at ${logEnd}; reading it back`);

    const { reads: finalReads, failures } = await readBack(
      cluster,
      logEnd,
      config.apiReadPasses,
      signal,
    );
    signal?.throwIfAborted();
    violations.push(...failures);

    const check = checkHistory({
      writes: history.writes,
      liveReads: history.reads,
      rangePages: history.rangePages,
      finalReads,
      logEnd,
      logStart: await leaderLogStart(cluster),
    });
    violations.push(...check.violations);
    // Every follower gets until the end of the log (or 30 s) to receive the rest, then stops.
    const followerDeadline = Date.now() + 30_000;
    while (
      !signal?.aborted &&
      Date.now() < followerDeadline &&
      followers.some((f) => (f.lastOffset ?? -1) < logEnd - 1)
    ) {
      await sleep(200);
    }
    for (const follower of followers) follower.stop();
    const followerCheck = checkFollowers(
      followers.map((f, i) => ({
        name: `follower ${i + 1}`,
        from: 0,
        events: f.events,
        trimmed: f.trimmed,
        connections: f.connections,
      })),
      check.log,
      logEnd,
      history.writes.flatMap((w) => (w.kind === 'acked' ? [w] : [])),
      check.logStart,
    );
    violations.push(...followerCheck.violations);
    const failovers = failoverTimes(history, nemesis);
    const fullestDisk = Math.max(0, ...[...cluster.disks.values()].map((d) => d.usedBytes()));
    report = {
      config,
      violations,
      check,
      counts: nemesis.counts,
      failovers,
      diskReports: cluster.diskReports,
      dataRoot: cluster.dataRoot,
      summary: summaryText(
        config,
        history,
        nemesis.counts,
        check,
        violations,
        failovers,
        finalReads.length,
        followerCheck,
        followers,
        cluster.disks.size
          ? { count: cluster.disks.size, fullestBytes: fullestDisk, ...cluster.diskReports }
          : undefined,
      ),
    };
    if (violations.length) report.failure = failureText(history, violations, cluster);
    return report;
  } catch (error) {
    history.event('note', `run aborted: ${describeError(error)}`);
    report = {
      config,
      violations,
      counts: nemesis.counts,
      failovers: [],
      diskReports: cluster.diskReports,
      dataRoot: cluster.dataRoot,
      summary: `faults: seed ${config.seed}: the run aborted: ${describeError(error)}`,
      failure: failureText(history, violations, cluster),
    };
    throw Object.assign(error as Error, { report });
  } finally {
    clearTimeout(lateJoiner);
    for (const follower of followers) follower.stop();
    signal?.removeEventListener('abort', abandon);
    const failed = !report || !!report.failure;
    if (failed) {
      writeFileSync(join(cluster.dataRoot, 'history.txt'), history.fullText() + '\n');
      writeFileSync(join(cluster.dataRoot, 'writes.json'), JSON.stringify(history.writes));
    }
    await cluster.stop(failed);
  }
}

/**
 * Reads offsets [0, logEnd) from every running replica directly and `apiPasses` times through
 * the API; a source that cannot answer an offset at all is reported as a hole.
 */
export async function readBack(
  cluster: FaultCluster,
  logEnd: number,
  apiPasses: number,
  signal?: AbortSignal,
): Promise<{ reads: ReadRecord[]; failures: Violation[] }> {
  type Reader = (offset: number) => Promise<ReadAnswer>;
  const sources: Array<[string, Reader]> = [
    ...cluster.local.runningReplicas.map((r): [string, Reader] => [
      r.id,
      (o) => readDirect(r.address, o, cluster.transport),
    ]),
    ...Array.from({ length: apiPasses }, (_, i): [string, Reader] => [
      `api pass ${i + 1}`,
      (o) => readThroughApi(cluster.apiUrl, o, cluster.transport),
    ]),
  ];
  const reads: ReadRecord[] = [];
  const failures: Violation[] = [];
  for (const [source, read] of sources) {
    const result = await readAll(source, logEnd, read, 32, signal);
    reads.push(...result.reads);
    if (result.failed.length) {
      failures.push({
        kind: 'hole',
        offset: result.failed[0],
        detail: `${source} could not answer ${result.failed.length} offsets (first ${result.failed.slice(0, 5).join(', ')})`,
      });
    }
  }
  return { reads, failures };
}

/**
 * Waits until every running replica has the leader's log: the same log end offset, and a high
 * watermark at it. Returns that offset, the end of the log every check reads up to.
 */
export async function converge(cluster: FaultCluster, timeoutMs: number): Promise<number> {
  const { local } = cluster;
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    try {
      const leader = await local.waitForLeader(5_000);
      const views = await Promise.all(local.runningReplicas.map((r) => local.status(r, 2_000)));
      const lead = views.find((v) => v.id === leader.id)!;
      last = views
        .map((v) => `${v.id}: ${v.role} leo ${v.log_end_offset} hw ${v.high_watermark}`)
        .join('; ');
      const end = Number(lead.log_end_offset);
      if (views.every((v) => Number(v.log_end_offset) === end && Number(v.high_watermark) === end))
        return end;
    } catch (error) {
      last = describeError(error).split('\n')[0];
    }
    await sleep(250);
  }
  throw new Error(`the replicas did not converge to one log within ${timeoutMs} ms: ${last}`);
}

/** The leader's log start after healing (retention; 0 without it). */
async function leaderLogStart(cluster: FaultCluster): Promise<number> {
  const leader = await cluster.local.waitForLeader(5_000);
  return Number((await cluster.local.status(leader, 2_000)).log_start_offset);
}

/**
 * Leader SIGKILL -> the first acknowledged write that began after it, in ms. (An ack that
 * ends just after the kill was committed before it; its answer was only on the way.)
 */
function failoverTimes(history: History, nemesis: Nemesis): number[] {
  const acks = history.writes.filter((w) => w.kind === 'acked');
  const times: number[] = [];
  for (const loss of nemesis.leaderLosses) {
    if (loss.kind !== 'kill-leader') continue;
    // reduce, not Math.min(...): a long run has more acks than a call takes arguments.
    const next = acks.reduce(
      (min, w) => (w.start > loss.at ? Math.min(min, w.end) : min),
      Infinity,
    );
    if (Number.isFinite(next)) times.push(next - loss.at);
  }
  return times;
}

function summaryText(
  config: FaultRunConfig,
  history: History,
  counts: Map<FaultKind, number>,
  check: CheckResult,
  violations: Violation[],
  failovers: number[],
  finalReads: number,
  followerCheck: FollowerCheck,
  followers: readonly ResumingFollower[],
  disks: { count: number; fullestBytes: number; full: number; roomAgain: number } | undefined,
): string {
  const by = (kind: string) => history.writes.filter((w) => w.kind === kind).length;
  const faults = FAULT_KINDS.map((k) => `${k} ${counts.get(k) ?? 0}`).join(', ');
  const stats = summarize(failovers);
  const reasons = new Map<string, number>();
  for (const w of history.writes) {
    const why =
      w.kind === 'refused'
        ? `refused ${w.status}`
        : w.kind === 'unknown'
          ? `unknown ${w.reason}`
          : undefined;
    if (why) reasons.set(why, (reasons.get(why) ?? 0) + 1);
  }
  return [
    `faults: seed ${config.seed}`,
    `  faults: ${faults}`,
    `  writes: ${history.writes.length} (acked ${by('acked')}, refused ${by('refused')}, unknown ${by('unknown')}: ${check.unknownFound} in the log, ${check.unknownMissing} not)`,
    `  retried with their Idempotency-Key: ${history.writes.filter((w) => (w.attempts ?? 1) > 1).length} messages, ${history.writes.reduce((sum, w) => sum + (w.attempts ?? 1), 0) - history.writes.length} extra attempts; each acked message must be in the log exactly once`,
    `  507 (disk full): ${history.writes.reduce((n, w) => n + (w.diskFullAnswers ?? 0), 0)} answers, ${history.writes.filter((w) => w.kind === 'refused' && w.status === 507).length} messages left refused 507 and checked absent from the log${disks ? `; ${disks.count} tmpfs data directories of ${FAULT_TMPFS_MB} MiB, the fullest ${(disks.fullestBytes / 2 ** 20).toFixed(1)} MiB used at the end; the replicas said "disk full" ${disks.full} times and "room again" ${disks.roomAgain}` : ''}`,
    `  not acked: ${[...reasons].map(([why, n]) => `${why} x${n}`).join(', ') || 'none'}`,
    `  checked: ${check.ackedChecked} acknowledged writes, ${check.log.size} offsets, ${finalReads} final reads, ${history.reads.length} reads during the run${check.logStart ? `; the log starts at ${check.logStart} (retention)` : ''}`,
    `  range readers: ${config.rangeReaders}; ${check.range.pages} pages of GET /Data/Range with ${check.range.messages} messages checked against the final log (contiguous, within limit and maxBytes, none empty at an acknowledged offset)${check.range.trimmed ? `; ${check.range.trimmed} answered 410, each below the log start` : ''}`,
    `  followers: ${followers.length} over ${followers.reduce((n, f) => n + f.connections, 0)} connections; ${followerCheck.events} events checked (gapless, no duplicate, as in the log); ${followerCheck.ackedDelivered} deliveries of acknowledged writes verified${followerCheck.trims ? `; ${followerCheck.trims} reconnections refused 410 below the log start, each followed on from the start it named` : ''}`,
    `  violations: ${violations.length}${violations.length ? ` (first: ${violations[0].kind}: ${violations[0].detail})` : ''}`,
    `  failover (leader SIGKILL -> first acked write begun after it): ${stats ? `min ${stats.min} ms, median ${stats.median} ms, max ${stats.max} ms over ${failovers.length}` : 'no leader kill'}`,
  ].join('\n');
}

function failureText(history: History, violations: Violation[], cluster: FaultCluster): string {
  const lines: string[] = [];
  const first = violations[0];
  if (first) {
    lines.push(`FIRST VIOLATION: ${first.kind}: ${first.detail}`);
    const at = first.at ?? history.writes.find((w) => w.message === first.message)?.end;
    if (at) lines.push(`around it (${history.clock(at)}):`, ...history.excerpt(at));
    // Every kind found, with how often and its first case: one noisy kind must not hide another.
    const byKind = new Map<string, Violation[]>();
    for (const v of violations) byKind.set(v.kind, [...(byKind.get(v.kind) ?? []), v]);
    for (const [kind, list] of byKind) {
      lines.push(`${kind}: ${list.length}, first: ${list[0].detail}`);
    }
    for (const v of violations.slice(1, 10)) lines.push(`also: ${v.kind}: ${v.detail}`);
    if (violations.length > 10) lines.push(`... and ${violations.length - 10} more`);
  }
  lines.push('faults:', ...history.events.map((e) => `  ${history.describeEvent(e)}`));
  lines.push(`data, logs and the full history (history.txt) left in ${cluster.dataRoot}`);
  return lines.join('\n');
}
