/**
 * The hop timeline of one write at C=1 without strace's distortion: a cluster (3 replicas, min
 * in-sync 2, fsync always, the API), one closed-loop writer of 100-byte POSTs, and `perf trace`
 * (kernel tracepoints into a ring buffer, no ptrace stop per system call) on this process, the
 * API and the three replicas during a window of writes. Each write's system calls are matched
 * hop by hop (by process and file descriptor) and the median gap of each hop is printed, with
 * each fdatasync's own time and the system calls and wake-ups per write of each process.
 *
 *   npx ts-node -r tsconfig-paths/register --transpile-only bench/hop-trace.ts \
 *     [--dist <build>/apps] [--warmup 1500] [--writes 2000] [--concurrency 1] \
 *     [--no-trace] [--read-back] [--timeline] [--record L,F1] [--gc] [--keep] [--reparse <kept trace file>]
 *
 * Every run also prints each process's CPU and context switches per write (from /proc, so
 * `--no-trace` gives them without perf's own cost); `--read-back` (C=1) follows each measured POST
 * with a GET of the offset it got and prints those GETs' latency (a read right after a write lands
 * on a replica that may not know the commit yet); at a concurrency above 1 only those and the
 * system calls per write are printed. `--timeline` prints the system calls of the median write;
 * `--record` takes a `perf record -g` of the named processes during the window. With the trace,
 * the slowest 1% of writes are set against all: each hop's median in both, and which hop ran
 * furthest over its usual time in each slow write. `--gc` preloads lib/gc-pauses.js in every
 * process and counts the writes a GC pause of some process overlapped, slow ones and all.
 *
 * Needs perf (Debian's linux-perf) and perf_event_paranoid <= 2 as root. Run it under the
 * shared bench lock like any measurement.
 */
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadavg } from 'node:os';
import { PerformanceObserver } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { BenchCluster } from './lib/cluster';
import { HttpWorkers, OffsetRange } from './lib/targets';
import { percentile } from './lib/stats';
import { cpuSeconds } from './lib/proc';

interface Call {
  at: number; // ms since the trace's start (entry of the call)
  dur: number; // ms
  label: string; // gen, api, L, F1, F2
  tid: number;
  name: string;
  fd: number;
  ret: number;
}

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
}

const START = /^\s*([\d.]+) \(\s*([\d.]*)(?: ms)?\s*\): [^/]*\/(\d+) (\w+)\((?:fd: (\d+))?/;
const CONTINUED =
  /^\s*(?:[\d.]+|\?) \(\s*([\d.]+) ms\): [^/]*\/(\d+)\s+\.\.\. \[continued\]: (\w+)\(\)\)\s+= (-?\d+|0x[0-9a-f]+)?/;
const RESULT = /= (-?\d+|0x[0-9a-f]+)\s*$/;

/**
 * perf trace prints a call on one line, or, when another thread's call came between its entry
 * and its exit, as an entry line ending in "..." and a "[continued]" line with its time and result.
 */
function parseTrace(path: string, labelOf: Map<number, string>): Call[] {
  const calls: Call[] = [];
  const open = new Map<number, Call>();
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    const c = CONTINUED.exec(line);
    if (c) {
      const call = open.get(Number(c[2]));
      if (call && call.name === c[3]) {
        call.dur = Number(c[1]);
        call.ret = c[4] === undefined ? 0 : Number(c[4]);
        open.delete(call.tid);
      }
      continue;
    }
    const m = START.exec(line);
    if (!m) continue;
    const tid = Number(m[3]);
    const label = labelOf.get(tid);
    if (!label) continue;
    const result = RESULT.exec(line);
    const call: Call = {
      at: Number(m[1]),
      dur: m[2] ? Number(m[2]) : 0,
      tid,
      label,
      name: m[4],
      fd: m[5] === undefined ? -1 : Number(m[5]),
      ret: result ? Number(result[1]) : 0,
    };
    if (!m[2]) open.set(tid, call);
    calls.push(call);
  }
  return calls.sort((a, b) => a.at - b.at);
}

/** Voluntary and involuntary context switches of all threads of `pid`. */
function contextSwitches(pid: number): number {
  let n = 0;
  for (const tid of threadsOf(pid)) {
    try {
      const status = readFileSync(`/proc/${pid}/task/${tid}/status`, 'utf8');
      for (const m of status.matchAll(/ctxt_switches:\s+(\d+)/g)) n += Number(m[1]);
    } catch {
      // the thread ended
    }
  }
  return n;
}

function threadsOf(pid: number): number[] {
  return readdirSync(`/proc/${pid}/task`).map(Number);
}

const isRead = (c: Call) => c.name === 'read' || c.name === 'readv' || c.name === 'recvfrom';
const isSend = (c: Call) =>
  c.name === 'writev' || c.name === 'write' || c.name === 'sendto' || c.name === 'sendmsg';

/** One write's hops, each a time (ms) or undefined when not found. */
interface Hops {
  [hop: string]: number | undefined;
}

function hopsOf(calls: Call[], start: number, end: number, fds: Fds): Hops | undefined {
  const inWindow = calls.filter((c) => c.at >= start && c.at <= end);
  /** The first call matching `pred` at or after `after` (nothing when `after` was not found). */
  const next = (after: Call | undefined, pred: (c: Call) => boolean, from = after?.at) =>
    after && from !== undefined ? inWindow.find((c) => c.at >= from && pred(c)) : undefined;
  const sends = (label: string, fd: number) => (c: Call) =>
    c.label === label && isSend(c) && c.fd === fd;
  const reads = (label: string, fd: number) => (c: Call) =>
    c.label === label && isRead(c) && c.fd === fd && c.ret > 0;
  const named =
    (label: string, ...names: string[]) =>
    (c: Call) =>
      c.label === label && names.includes(c.name);

  const genSend = inWindow.find(sends('gen', fds.genHttp));
  if (!genSend) return undefined;
  const apiRead = next(genSend, reads('api', fds.apiHttp));
  const apiSend = next(apiRead, sends('api', fds.apiLeader));
  const leaderRead = next(apiSend, reads('L', fds.leaderApi));
  const leaderWrite = next(leaderRead, named('L', 'pwritev', 'pwrite64'));
  const leaderSync = next(leaderWrite, named('L', 'fdatasync'));
  const h: Hops = {
    genSend: genSend.at,
    apiRead: apiRead?.at,
    apiSend: apiSend?.at,
    leaderRead: leaderRead?.at,
    leaderWrite: leaderWrite?.at,
    leaderSyncStart: leaderSync?.at,
    leaderSyncEnd: leaderSync && leaderSync.at + leaderSync.dur,
  };
  for (const f of ['F1', 'F2']) {
    const ship = next(leaderWrite, sends('L', fds.leaderFollower[f]));
    const read = next(ship, reads(f, fds.followerLeader[f]));
    const write = next(read, named(f, 'pwritev', 'pwrite64'));
    const sync = next(write, named(f, 'fdatasync'));
    const ack = next(sync, sends(f, fds.followerLeader[f]));
    const ackRead = next(ack, reads('L', fds.leaderFollower[f]));
    h[`ship${f}`] = ship?.at;
    h[`read${f}`] = read?.at;
    h[`write${f}`] = write?.at;
    h[`syncStart${f}`] = sync?.at;
    h[`syncEnd${f}`] = sync && sync.at + sync.dur;
    h[`ack${f}`] = ack?.at;
    h[`ackRead${f}`] = ackRead?.at;
  }
  // The answer needs the leader's own sync: look for it after that.
  const answer = next(
    leaderRead,
    sends('L', fds.leaderApi),
    Math.max(leaderRead?.at ?? 0, h.leaderSyncEnd ?? 0),
  );
  const apiGot = next(answer, reads('api', fds.apiLeader));
  const apiReply = next(apiGot, sends('api', fds.apiHttp));
  const genGot = next(apiReply, reads('gen', fds.genHttp));
  h.leaderAnswer = answer?.at;
  h.apiGot = apiGot?.at;
  h.apiReply = apiReply?.at;
  h.genGot = genGot?.at;
  return h;
}

/**
 * What the slowest 1% of writes have in common: each hop's median among them against among all,
 * and for each slow write the hop that ran furthest over its median (the one that made it slow).
 */
function slowest(all: Hops[], rows: Array<[string, string, string]>): void {
  const whole = (h: Hops) =>
    h.genGot !== undefined ? (h.genGot as number) - (h.genSend as number) : undefined;
  const complete = all.filter((h) => whole(h) !== undefined);
  if (complete.length < 100) return;
  const cut = percentile(
    complete.map((h) => whole(h) as number).sort((a, b) => a - b),
    99,
  );
  const slow = complete.filter((h) => (whole(h) as number) >= cut);
  const hopRows = rows.filter(([, from, to]) => !(from === 'genSend' && to === 'genGot'));
  const values = (set: Hops[], from: string, to: string) =>
    set
      .filter((h) => h[from] !== undefined && h[to] !== undefined)
      .map((h) => (h[to] as number) - (h[from] as number))
      .sort((a, b) => a - b);
  const medians = new Map<string, number>();
  console.log(`\nthe slowest 1%: ${slow.length} writes of ${cut.toFixed(3)} ms or more`);
  for (const [name, from, to] of hopRows) {
    const every = values(complete, from, to);
    const few = values(slow, from, to);
    if (!every.length) continue;
    medians.set(name, percentile(every, 50));
    const fewText = few.length
      ? `${percentile(few, 50).toFixed(3)} (max ${few[few.length - 1].toFixed(3)})`
      : 'n/a';
    console.log(`${name.padEnd(48)} all ${percentile(every, 50).toFixed(3)} · slow ${fewText}`);
  }
  // Blame goes to the hops of the path only: the leader's answer counts from the last of its
  // own fdatasync and the two acks (the rows from each alone overlap it), and the leader's whole
  // span is left out.
  for (const h of complete) {
    const inputs = [h.leaderSyncEnd, h.ackReadF1, h.ackReadF2];
    if (inputs.every((v) => v !== undefined)) h.lastInput = Math.max(...(inputs as number[]));
  }
  const lastInput: [string, string, string] = [
    'leader: last of its fdatasync and acks → answer',
    'lastInput',
    'leaderAnswer',
  ];
  const every = values(complete, 'lastInput', 'leaderAnswer');
  if (every.length) medians.set(lastInput[0], percentile(every, 50));
  const blameRows = [...hopRows.filter(([, , to]) => to !== 'leaderAnswer'), lastInput];
  const kind = (name: string) =>
    / fdatasync itself$/.test(name)
      ? 'disk'
      : /→ (API|leader|gen|F\d) read|ack → leader reads/.test(name)
        ? 'wake-up (send → the peer reads)'
        : 'a turn in one process (CPU, GC, run queue)';
  const blamed = new Map<string, number>();
  const kinds = new Map<string, number>();
  for (const h of slow) {
    let worst: [string, number] = ['(none found)', 0];
    for (const [name, from, to] of blameRows) {
      if (h[from] === undefined || h[to] === undefined || !medians.has(name)) continue;
      const over = (h[to] as number) - (h[from] as number) - (medians.get(name) as number);
      if (over > worst[1]) worst = [name, over];
    }
    blamed.set(worst[0], (blamed.get(worst[0]) ?? 0) + 1);
    kinds.set(kind(worst[0]), (kinds.get(kind(worst[0])) ?? 0) + 1);
  }
  const list = (m: Map<string, number>) =>
    [...m.entries()]
      .sort((a, b) => b[1] - a[1])
      .map(([name, n]) => `${name} ${n}`)
      .join('; ');
  console.log(`hop furthest over its median, per slow write: ${list(blamed)}`);
  console.log(`  by kind: ${list(kinds)}`);
}

/**
 * What other commit rules would have made of the same writes (bench/RESULTS.md, Round 8): the
 * leader answers in the turn it has the last of its inputs (its own fdatasync, each follower's
 * ack), so a rule that needs fewer or earlier inputs moves the answer, and everything after it,
 * by the difference. Per write: today's last input against the rule's. A model: it ignores what
 * the CPU a rule saves (or adds) would do to the other hops, so the A/B of a build is the check.
 * Rules: every ISR member (today); a quorum (the leader and the faster follower); followers
 * acknowledging before their fdatasync (each ack earlier by that follower's fdatasync); both;
 * both with the leader not waiting for its own fdatasync either.
 */
function commitRules(all: Hops[]): void {
  const keys = ['genSend', 'genGot', 'leaderSyncEnd', 'ackReadF1', 'ackReadF2'];
  const keysF = ['syncStartF1', 'syncEndF1', 'syncStartF2', 'syncEndF2'];
  const complete = all.filter((h) => [...keys, ...keysF].every((k) => h[k] !== undefined));
  if (complete.length < 100) return;
  const v = (h: Hops, k: string) => h[k] as number;
  const early = (h: Hops, f: string) =>
    v(h, `ackRead${f}`) - (v(h, `syncEnd${f}`) - v(h, `syncStart${f}`));
  const rules: Array<[string, (h: Hops) => number]> = [
    [
      'every ISR member (today)',
      (h) => Math.max(v(h, 'leaderSyncEnd'), v(h, 'ackReadF1'), v(h, 'ackReadF2')),
    ],
    [
      'quorum: leader + faster follower',
      (h) => Math.max(v(h, 'leaderSyncEnd'), Math.min(v(h, 'ackReadF1'), v(h, 'ackReadF2'))),
    ],
    [
      'every member, followers ack before fdatasync',
      (h) => Math.max(v(h, 'leaderSyncEnd'), early(h, 'F1'), early(h, 'F2')),
    ],
    [
      'quorum + followers ack before fdatasync',
      (h) => Math.max(v(h, 'leaderSyncEnd'), Math.min(early(h, 'F1'), early(h, 'F2'))),
    ],
  ];
  // JetStream's model (no fdatasync before an answer): the leader's own sync leaves the path too.
  rules.push([
    'quorum, no fdatasync on the path at all',
    (h) => Math.min(early(h, 'F1'), early(h, 'F2')),
  ]);
  const today = rules[0][1];
  const sorted = (xs: number[]) => xs.sort((a, b) => a - b);
  console.log(
    `\ncommit rules on the same ${complete.length} writes (the answer moves with the last input):`,
  );
  for (const [name, rule] of rules) {
    const saved = sorted(complete.map((h) => today(h) - rule(h)));
    const whole = sorted(
      complete.map((h) => v(h, 'genGot') - v(h, 'genSend') - (today(h) - rule(h))),
    );
    // Which input the rule waits for last: the leader's own fdatasync binds when nothing later counts.
    const leaderBinds = complete.filter((h) => rule(h) === v(h, 'leaderSyncEnd')).length;
    console.log(
      `${name.padEnd(48)} saved p50 ${percentile(saved, 50).toFixed(3)} p90 ${percentile(saved, 90).toFixed(3)} ms · ` +
        `write p50 ${percentile(whole, 50).toFixed(3)} p99 ${percentile(whole, 99).toFixed(3)} ms · ` +
        `leader's fdatasync last ${((leaderBinds / complete.length) * 100).toFixed(0)}%`,
    );
  }
}

/** A GC pause of one process, in milliseconds since the epoch (lib/gc-pauses.js). */
interface GcPause {
  label: string;
  start: number;
  end: number;
  kind: string;
}

const GC_LINE = /^distilled-gc ([\d.]+) ([\d.]+) (\S+)$/;

/** Writes a GC pause of some process overlapped, all and the slowest 1% (spans in epoch ms). */
function gcReport(spans: Array<[number, number]>, pauses: GcPause[]): void {
  const inWindow = pauses.filter(
    (p) => p.end >= spans[0][0] && p.start <= spans[spans.length - 1][1],
  );
  const byLabel = new Map<string, number[]>();
  for (const p of inWindow) {
    const list = byLabel.get(`${p.label} ${p.kind}`) ?? [];
    list.push(p.end - p.start);
    byLabel.set(`${p.label} ${p.kind}`, list);
  }
  console.log(`\nGC pauses during the window per process and kind:`);
  for (const [key, list] of [...byLabel.entries()].sort()) {
    list.sort((a, b) => a - b);
    console.log(
      `  ${key}: ${list.length} (${(list.length / spans.length).toFixed(4)} a write), median ${percentile(list, 50).toFixed(2)} ms, max ${list[list.length - 1].toFixed(2)} ms`,
    );
  }
  const cut = percentile(
    spans.map(([a, b]) => b - a).sort((x, y) => x - y),
    99,
  );
  const hit = (span: [number, number]) =>
    inWindow.filter((p) => p.end >= span[0] && p.start <= span[1]);
  const slow = spans.filter(([a, b]) => b - a >= cut);
  const share = (set: Array<[number, number]>) =>
    `${((set.filter((s) => hit(s).length > 0).length / set.length) * 100).toFixed(1)}%`;
  const slowLabels = new Map<string, number>();
  for (const s of slow)
    for (const label of new Set(hit(s).map((p) => p.label)))
      slowLabels.set(label, (slowLabels.get(label) ?? 0) + 1);
  console.log(
    `writes overlapped by a GC pause: all ${share(spans)}, the slowest 1% (≥ ${cut.toFixed(3)} ms, ${slow.length}) ${share(slow)}; ` +
      `by process among the slow: ${[...slowLabels.entries()].map(([l, n]) => `${l} ${n}`).join(', ') || 'none'}`,
  );
}

interface Fds {
  genHttp: number;
  apiHttp: number;
  apiLeader: number;
  leaderApi: number;
  leaderFollower: Record<string, number>;
  followerLeader: Record<string, number>;
}

/** The most used fd of `label` for calls matching `pred` (the one socket of a hop). */
function mainFd(calls: Call[], label: string, pred: (c: Call) => boolean, not: number[] = []) {
  const counts = new Map<number, number>();
  for (const c of calls) {
    if (c.label !== label || !pred(c) || c.fd < 0 || not.includes(c.fd)) continue;
    counts.set(c.fd, (counts.get(c.fd) ?? 0) + 1);
  }
  return [...counts.entries()].sort((a, b) => b[1] - a[1]).map(([fd]) => fd);
}

function analyse(out: string, labelOf: Map<number, string>, writes: number, hops = true): void {
  const calls = parseTrace(out, labelOf);
  // Sockets: each hop's fd is the one whose reads follow the sender's sends within 1 ms most often.
  const sendsOf = (label: string, fd: number) =>
    calls.filter((c) => c.label === label && isSend(c) && c.fd === fd);
  const score = (label: string, fd: number, after: Call[]) => {
    let n = 0;
    let j = 0;
    const reads = calls.filter((c) => c.label === label && isRead(c) && c.fd === fd && c.ret > 0);
    for (const s of after) {
      while (j < reads.length && reads[j].at < s.at) j++;
      if (j < reads.length && reads[j].at - s.at < 1) n++;
    }
    return n;
  };
  const bestReader = (label: string, after: Call[], not: number[] = []) =>
    mainFd(calls, label, (c) => isRead(c) && c.ret > 0, not).sort(
      (a, b) => score(label, b, after) - score(label, a, after),
    )[0];
  const genHttp = mainFd(calls, 'gen', isSend)[0];
  const apiHttp = bestReader('api', sendsOf('gen', genHttp));
  const apiLeader = mainFd(calls, 'api', isSend, [apiHttp])[0];
  const leaderApi = bestReader('L', sendsOf('api', apiLeader));
  const fds: Fds = {
    genHttp,
    apiHttp,
    apiLeader,
    leaderApi,
    leaderFollower: {},
    followerLeader: {},
  };
  for (const f of ['F1', 'F2']) {
    fds.followerLeader[f] = mainFd(calls, f, isSend)[0];
    fds.leaderFollower[f] = bestReader('L', sendsOf(f, fds.followerLeader[f]), [leaderApi]);
  }
  console.log('fds', JSON.stringify(fds));
  // Each write's window: from its gen send to the next gen send.
  const genSends = calls.filter((c) => c.label === 'gen' && isSend(c) && c.fd === genHttp);
  const all: Hops[] = [];
  for (let i = 0; hops && i + 1 < genSends.length; i++) {
    const h = hopsOf(calls, genSends[i].at, genSends[i + 1].at, fds);
    if (h) all.push(h);
  }
  const gap = (from: string, to: string) => {
    const v = all
      .filter((h) => h[from] !== undefined && h[to] !== undefined)
      .map((h) => (h[to] as number) - (h[from] as number))
      .sort((a, b) => a - b);
    return v.length
      ? `${percentile(v, 50).toFixed(3)} (p90 ${percentile(v, 90).toFixed(3)}, n ${v.length})`
      : 'n/a';
  };
  const rows: Array<[string, string, string]> = [
    ['gen → API (gen writev → API read)', 'genSend', 'apiRead'],
    ['API turn (read HTTP → writev to leader)', 'apiRead', 'apiSend'],
    ['API → leader (writev → leader read)', 'apiSend', 'leaderRead'],
    ['leader read → pwritev of the group', 'leaderRead', 'leaderWrite'],
    ['leader pwritev → ship to F1', 'leaderWrite', 'shipF1'],
    ['leader pwritev → ship to F2', 'leaderWrite', 'shipF2'],
    ['leader pwritev → its fdatasync starts', 'leaderWrite', 'leaderSyncStart'],
    ['leader fdatasync itself', 'leaderSyncStart', 'leaderSyncEnd'],
    ['ship → F1 read', 'shipF1', 'readF1'],
    ['F1 read → pwritev', 'readF1', 'writeF1'],
    ['F1 pwritev → fdatasync starts', 'writeF1', 'syncStartF1'],
    ['F1 fdatasync itself', 'syncStartF1', 'syncEndF1'],
    ['F1 fdatasync end → ack writev', 'syncEndF1', 'ackF1'],
    ['F1 ack → leader reads it', 'ackF1', 'ackReadF1'],
    ['ship → F2 read', 'shipF2', 'readF2'],
    ['F2 read → pwritev', 'readF2', 'writeF2'],
    ['F2 pwritev → fdatasync starts', 'writeF2', 'syncStartF2'],
    ['F2 fdatasync itself', 'syncStartF2', 'syncEndF2'],
    ['F2 fdatasync end → ack writev', 'syncEndF2', 'ackF2'],
    ['F2 ack → leader reads it', 'ackF2', 'ackReadF2'],
    ['leader fdatasync end → answer writev', 'leaderSyncEnd', 'leaderAnswer'],
    ['leader reads F1 ack → answer writev', 'ackReadF1', 'leaderAnswer'],
    ['leader reads F2 ack → answer writev', 'ackReadF2', 'leaderAnswer'],
    ['leader → API (answer writev → API read)', 'leaderAnswer', 'apiGot'],
    ['API turn (read answer → HTTP 201 writev)', 'apiGot', 'apiReply'],
    ['API → gen (writev → gen read)', 'apiReply', 'genGot'],
    ['whole: gen send → gen read', 'genSend', 'genGot'],
    ['leader read → answer writev', 'leaderRead', 'leaderAnswer'],
  ];
  console.log(`writes matched: ${all.length}`);
  if (hops) for (const [name, from, to] of rows) console.log(`${name.padEnd(48)} ${gap(from, to)}`);
  if (hops) slowest(all, rows);
  if (hops) commitRules(all);
  // Per write: system calls and wake-ups (returns from epoll/futex waits) by process.
  const perWrite = (label: string, pred: (c: Call) => boolean) =>
    (calls.filter((c) => c.label === label && pred(c)).length / writes).toFixed(2);
  for (const label of ['gen', 'api', 'L', 'F1', 'F2']) {
    const names = new Map<string, number>();
    for (const c of calls) if (c.label === label) names.set(c.name, (names.get(c.name) ?? 0) + 1);
    const detail = [...names.entries()]
      .sort((a, b) => b[1] - a[1])
      .map(([n, k]) => `${n} ${(k / writes).toFixed(2)}`)
      .join(', ');
    console.log(`${label}: traced calls/write ${perWrite(label, () => true)} (${detail})`);
  }
  const order = process.argv.includes('--timeline');
  if (order && all.length > 10) {
    const mid = all[Math.floor(all.length / 2)];
    const base = mid.genSend as number;
    const s = calls.filter((c) => c.at >= base && c.at <= (mid.genGot ?? base + 5) + 0.05);
    for (const c of s)
      console.log(
        `${(c.at - base).toFixed(3).padStart(8)} +${c.dur.toFixed(3)} ${c.label.padEnd(4)} ${c.tid} ${c.name}(fd ${c.fd}) = ${c.ret}`,
      );
  }
}

async function main(): Promise<void> {
  if (process.argv.includes('--reparse')) {
    const file = arg('reparse', '');
    const labels = JSON.parse(readFileSync(`${file}.labels.json`, 'utf8')) as Array<
      [number, string]
    >;
    analyse(file, new Map(labels), Number(arg('writes', '2000')));
    return;
  }
  const dist = process.argv.includes('--dist') ? arg('dist', '') : undefined;
  const warmup = Number(arg('warmup', '1500'));
  const writes = Number(arg('writes', '2000'));
  const concurrency = Number(arg('concurrency', '1'));
  const trace = !process.argv.includes('--no-trace');
  const out = `/tmp/hop-trace-${process.pid}.txt`;
  const gc = process.argv.includes('--gc');
  const pauses: GcPause[] = [];
  const sourceLabel = new Map<string, string>();
  const bench = await BenchCluster.start({
    replicas: 3,
    minInsync: 2,
    fsync: 'always',
    api: true,
    distDir: dist,
    env: gc
      ? {
          NODE_OPTIONS:
            `${process.env.NODE_OPTIONS ?? ''} --require ${join(__dirname, 'lib', 'gc-pauses.js')}`.trim(),
        }
      : undefined,
    onOutput: gc
      ? (source, line) => {
          const m = GC_LINE.exec(line.trim());
          const label = sourceLabel.get(source);
          if (!m || !label) return;
          const start = Number(m[1]);
          pauses.push({ label, start, end: start + Number(m[2]), kind: m[3] });
        }
      : undefined,
  });
  if (gc) {
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) {
        const start = performance.timeOrigin + e.startTime;
        pauses.push({ label: 'gen', start, end: start + e.duration, kind: 'gc' });
      }
    }).observe({ entryTypes: ['gc'] });
  }
  try {
    const api = bench.cluster.api;
    if (!api) throw new Error('no API');
    const workers = new HttpWorkers(api.url, concurrency, bench.apiHeaders);
    const written = new OffsetRange();
    const op = workers.append(100, written);
    const spans: Array<[number, number]> = [];
    // --read-back (C=1): each measured POST is followed by a GET of the offset it got.
    const readBack = process.argv.includes('--read-back');
    const readSpans: number[] = [];
    const readJustWritten = async (worker: number) => {
      const just = new OffsetRange();
      just.note(written.max);
      const a = performance.now();
      await workers.read(just)(worker);
      readSpans.push(performance.now() - a);
    };
    const run = (count: number, record: boolean) =>
      Promise.all(
        Array.from({ length: concurrency }, async (_, worker) => {
          for (let i = worker; i < count; i += concurrency) {
            const a = performance.now();
            await op(worker);
            if (record) spans.push([a, performance.now()]);
            if (record && readBack) await readJustWritten(worker);
          }
        }),
      );
    await run(warmup, false);
    const { pids, names } = await bench.pids();
    for (const [label, source] of Object.entries(names)) sourceLabel.set(source, label);
    const labelOf = new Map<number, string>();
    const traced: number[] = [process.pid];
    for (const tid of threadsOf(process.pid)) labelOf.set(tid, 'gen');
    for (const label of ['api', 'L', 'F1', 'F2']) {
      const pid = pids[label];
      if (!pid) throw new Error(`no ${label}`);
      traced.push(pid);
      for (const tid of threadsOf(pid)) labelOf.set(tid, label);
    }
    const perf = trace
      ? spawn(
          'perf',
          [
            'trace',
            '-o',
            out,
            '-e',
            'read,readv,write,writev,pwritev,pwrite64,fdatasync,fsync,epoll_pwait,epoll_wait,futex,sendmsg,recvmsg,sendto,recvfrom',
            '-p',
            traced.join(','),
          ],
          { stdio: 'inherit' },
        )
      : undefined;
    // --record L,F1: a perf record (call graphs) of those processes during the window.
    const recorders = (process.argv.includes('--record') ? arg('record', '').split(',') : []).map(
      (label) =>
        spawn(
          'perf',
          ['record', '-g', '-o', `/tmp/hop-trace-${label}.data`, '-p', String(pids[label])],
          {
            stdio: 'ignore',
          },
        ),
    );
    if (perf || recorders.length) await sleep(1500);
    const labels = ['gen', 'api', 'L', 'F1', 'F2'];
    const pidOf = (label: string) => (label === 'gen' ? process.pid : (pids[label] as number));
    const before = labels.map((l) => [cpuSeconds(pidOf(l)), contextSwitches(pidOf(l))]);
    const t0 = performance.now();
    await run(writes, true);
    const wall = (performance.now() - t0) / 1000;
    const after = labels.map((l) => [cpuSeconds(pidOf(l)), contextSwitches(pidOf(l))]);
    await sleep(200);
    for (const recorder of recorders) {
      recorder.kill('SIGINT');
      await new Promise((resolve) => recorder.once('exit', resolve));
    }
    if (perf) {
      perf.kill('SIGINT');
      await new Promise((resolve) => perf.once('exit', resolve));
    }
    await workers.close();
    const lat = spans.map(([a, b]) => b - a).sort((x, y) => x - y);
    console.log(
      `${writes} writes at C=${concurrency} in ${wall.toFixed(2)} s (${(writes / wall).toFixed(0)}/s)${perf ? ' under perf trace' : ''}: p50 ${percentile(lat, 50).toFixed(3)} ms, p99 ${percentile(lat, 99).toFixed(3)} ms; load ${loadavg()[0].toFixed(1)}`,
    );
    console.log(
      'per write: ' +
        labels
          .map(
            (l, i) =>
              `${l} CPU ${(((after[i][0] - before[i][0]) / writes) * 1e6).toFixed(0)} µs, ${((after[i][1] - before[i][1]) / writes).toFixed(2)} cs`,
          )
          .join(' · '),
    );
    if (readSpans.length) {
      readSpans.sort((x, y) => x - y);
      console.log(
        `GET of the offset just written (${readSpans.length}): p50 ${percentile(readSpans, 50).toFixed(3)} ms, p99 ${percentile(readSpans, 99).toFixed(3)} ms`,
      );
    }
    if (gc)
      gcReport(
        spans.map(([a, b]) => [performance.timeOrigin + a, performance.timeOrigin + b]),
        pauses,
      );
    if (perf) {
      writeFileSync(`${out}.labels.json`, JSON.stringify([...labelOf.entries()]));
      analyse(out, labelOf, writes, concurrency === 1);
    }
  } finally {
    await bench.stop();
    if (!process.argv.includes('--keep')) {
      rmSync(out, { force: true });
      rmSync(`${out}.labels.json`, { force: true });
    }
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
