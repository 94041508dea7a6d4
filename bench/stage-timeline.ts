/**
 * Where a batch's round trip goes (branch batch-latency): joins the per-process stamp files
 * written under DISTILLED_STAGE_TRACE_DIR (libs/common stage-trace.ts) into one timeline per
 * producer batch (keyed by its sequence), and prints each stage's median and p90 in µs.
 *
 *   DISTILLED_STAGE_TRACE_DIR=/tmp/x npm run bench -- batch-cycle --warmup 25 --duration 8
 *   npx ts-node --transpile-only bench/stage-timeline.ts /tmp/x [--last 8]
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

interface Stamp {
  stage: string;
  key: string;
  value: string;
  t: number;
}

type Proc = { file: string; stamps: Stamp[]; role: string };

function load(dir: string): Proc[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.tsv'))
    .map((file) => {
      const stamps = readFileSync(join(dir, file), 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((line) => {
          const [stage, key, value, t] = line.split('\t');
          return { stage, key, value, t: Number(t) };
        });
      const has = (s: string) => stamps.some((x) => x.stage === s);
      const role = has('api.send') ? 'api' : has('L.recv') ? 'leader' : has('F.recv') ? 'follower' : '?';
      return { file, stamps, role };
    });
}

function firstBy(stamps: Stamp[], stage: string): Map<string, Stamp> {
  const out = new Map<string, Stamp>();
  for (const s of stamps) if (s.stage === stage && !out.has(s.key)) out.set(s.key, s);
  return out;
}

function allBy(stamps: Stamp[], stage: string): Map<string, Stamp[]> {
  const out = new Map<string, Stamp[]>();
  for (const s of stamps) {
    if (s.stage !== stage) continue;
    const list = out.get(s.key) ?? [];
    list.push(s);
    out.set(s.key, list);
  }
  return out;
}

/** Stamps of `stage` in time order, as (value, t). */
function series(stamps: Stamp[], stage: string, key?: string): { v: number; t: number }[] {
  return stamps
    .filter((s) => s.stage === stage && (key === undefined || s.key === key))
    .map((s) => ({ v: Number(stage === 'L.ack' ? s.value : s.key), t: s.t }))
    .sort((a, b) => a.t - b.t);
}

/** The first stamp at or after `after` whose value reaches `end`. */
function firstReaching(list: { v: number; t: number }[], end: number, after: number): number | undefined {
  for (const x of list) if (x.t >= after && x.v >= end) return x.t;
  return undefined;
}

function pct(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

export function main(argv: string[]): void {
  const dir = argv[0];
  const lastIndex = argv.indexOf('--last');
  const lastSeconds = lastIndex >= 0 ? Number(argv[lastIndex + 1]) : 8;
  const procs = load(dir);
  const api = procs.find((p) => p.role === 'api');
  const leader = procs.find((p) => p.role === 'leader');
  const followers = procs.filter((p) => p.role === 'follower');
  if (!api || !leader || followers.length === 0) throw new Error(`roles: ${procs.map((p) => p.role)}`);

  const send = firstBy(api.stamps, 'api.send');
  const tEnd = Math.max(...[...send.values()].map((s) => s.t)) - 300_000;
  const tStart = tEnd - lastSeconds * 1e6;
  const arrived = allBy(api.stamps, 'api.arrived');
  const apiAnswer = firstBy(api.stamps, 'api.answer');
  const apiResolved = firstBy(api.stamps, 'api.resolved');
  const lRecv = firstBy(leader.stamps, 'L.recv');
  const lEnq = firstBy(leader.stamps, 'gc.enqueue');
  const lWs = firstBy(leader.stamps, 'gc.writev_start');
  const lWe = firstBy(leader.stamps, 'gc.writev_end');
  const lFs = firstBy(leader.stamps, 'gc.fsync_start');
  const lFe = firstBy(leader.stamps, 'gc.fsync_end');
  const lSynced = firstBy(leader.stamps, 'L.synced');
  const lAnswer = firstBy(leader.stamps, 'L.answer');
  const hw = series(leader.stamps, 'L.hw');
  const fetchSent = allBy(leader.stamps, 'L.fetch_sent');
  const followerIds = [...new Set(leader.stamps.filter((s) => s.stage === 'L.ack').map((s) => s.key))];
  const lAcks = new Map(followerIds.map((id) => [id, series(leader.stamps, 'L.ack', id)]));
  const f = followers.map((p) => ({
    recv: firstBy(p.stamps, 'F.recv'),
    ws: firstBy(p.stamps, 'gc.writev_start'),
    we: firstBy(p.stamps, 'gc.writev_end'),
    fs: firstBy(p.stamps, 'gc.fsync_start'),
    fe: firstBy(p.stamps, 'gc.fsync_end'),
    acks: series(p.stamps, 'F.ack'),
    groupSizes: p.stamps.filter((s) => s.stage === 'gc.writev_start').map((s) => Number(s.value)),
  }));

  const stages = new Map<string, number[]>();
  const add = (name: string, a: number | undefined, b: number | undefined) => {
    if (a === undefined || b === undefined) return;
    const list = stages.get(name) ?? [];
    list.push(b - a);
    stages.set(name, list);
  };
  let batches = 0;
  let messages = 0;
  const gaps: number[] = [];
  let prevWs: number | undefined;
  for (const [seq, s] of [...send.entries()].sort((a, b) => a[1].t - b[1].t)) {
    if (s.t < tStart || s.t > tEnd) continue;
    batches++;
    messages += Number(s.value.split('/')[1]);
    const arr = (arrived.get(seq) ?? []).map((x) => Number(x.value));
    const [l0, l1] = s.value.split('+');
    void l0;
    void l1;
    const synced = lSynced.get(seq);
    if (!synced) continue;
    const [base, count] = synced.value.split('+').map(Number);
    const end = base + count;
    add('01 API: oldest request arrival -> Append sent', Math.min(...arr), s.t);
    add('01b API: newest request arrival -> Append sent', Math.max(...arr), s.t);
    add('02 API send -> leader received', s.t, lRecv.get(seq)?.t);
    add('03 leader received -> queued in log', lRecv.get(seq)?.t, lEnq.get(seq)?.t);
    add('04 leader queued -> writev start (chain)', lEnq.get(seq)?.t, lWs.get(seq)?.t);
    add('05 leader writev', lWs.get(seq)?.t, lWe.get(seq)?.t);
    add('06 leader fdatasync', lFs.get(seq)?.t, lFe.get(seq)?.t);
    add('06b leader fsync end -> append resolved', lFe.get(seq)?.t, synced.t);
    const ws = lWs.get(seq)?.t;
    if (ws !== undefined && prevWs !== undefined) gaps.push(ws - prevWs);
    if (ws !== undefined) prevWs = ws;
    const sentList = fetchSent.get(seq) ?? [];
    let lastAck: number | undefined = 0;
    for (const sent of sentList) add('07 leader writev end -> fetch response sent', lWe.get(seq)?.t, sent.t);
    f.forEach((fp, i) => {
      const recv = fp.recv.get(seq)?.t;
      // match this follower's send by time: the latest send before its receive
      const sent = sentList.filter((x) => recv !== undefined && x.t <= recv).map((x) => x.t);
      add(`08 fetch sent -> follower received`, sent.length ? Math.max(...sent) : undefined, recv);
      add(`09 follower received -> writev start`, recv, fp.ws.get(seq)?.t);
      add(`10 follower writev`, fp.ws.get(seq)?.t, fp.we.get(seq)?.t);
      add(`11 follower fdatasync`, fp.fs.get(seq)?.t, fp.fe.get(seq)?.t);
      const fe = fp.fe.get(seq)?.t;
      const ack = fe === undefined ? undefined : firstReaching(fp.acks, end, fe);
      add(`12 follower fsync end -> ack sent`, fe, ack);
      void i;
    });
    for (const id of followerIds) {
      const acks = lAcks.get(id)!;
      const t = firstReaching(acks, end, s.t);
      if (t === undefined) lastAck = undefined;
      else if (lastAck !== undefined) lastAck = Math.max(lastAck, t);
    }
    // ack transit: per follower, its ack sent -> leader received
    f.forEach((fp) => {
      const fe = fp.fe.get(seq)?.t;
      const ack = fe === undefined ? undefined : firstReaching(fp.acks, end, fe);
      if (ack === undefined) return;
      let best: number | undefined;
      for (const id of followerIds) {
        const t = firstReaching(lAcks.get(id)!, end, ack);
        if (t !== undefined && (best === undefined || t < best)) best = t;
      }
      add('13 ack sent -> leader received', ack, best);
    });
    const hwT = firstReaching(hw, end, s.t);
    add('14 leader fsync end -> last ack received', lFe.get(seq)?.t, lastAck || undefined);
    add('15 last of (own sync, acks) -> HW advanced', lastAck ? Math.max(lastAck, synced.t) : undefined, hwT);
    add('16 HW advanced -> answer queued', hwT, lAnswer.get(seq)?.t);
    add('17 leader answer -> API received', lAnswer.get(seq)?.t, apiAnswer.get(seq)?.t);
    add('18 API received -> writes resolved', apiAnswer.get(seq)?.t, apiResolved.get(seq)?.t);
    add('T1 Append round trip (API send -> API answer)', s.t, apiAnswer.get(seq)?.t);
    add('T2 leader received -> leader answer', lRecv.get(seq)?.t, lAnswer.get(seq)?.t);
    add('T3 leader writev start -> HW', lWs.get(seq)?.t, hwT);
    add('T4 oldest arrival -> resolved', Math.min(...arr), apiResolved.get(seq)?.t);
  }
  const inWindow = (p: Proc, stage: string) =>
    p.stamps.filter((x) => x.stage === stage && x.t >= tStart && x.t <= tEnd);
  const durations = (list: Stamp[], field: 'key' | 'value') => list.map((x) => Number(x[field]));
  stages.set('H1 HTTP: onRequest -> onResponse (per request)', durations(inWindow(api, 'http.in_api'), 'key'));
  stages.set('H2 HTTP: a connection idle between answer and next request', durations(inWindow(api, 'http.idle'), 'key'));
  stages.set('H3 API: appendAll -> resolved (per request)', durations(inWindow(api, 'api.write_time'), 'value'));
  const flushGap = (p: Proc, stage: string, flush: string, name: string) => {
    const id = (x: Stamp) => (stage === 'api.send' ? x.key : `${x.key}/${x.value}`);
    const first = new Map<string, number>();
    for (const x of inWindow(p, stage)) if (!first.has(id(x))) first.set(id(x), x.t);
    const out = stages.get(name) ?? [];
    for (const x of inWindow(p, flush)) {
      const t = first.get(id(x));
      if (t !== undefined) out.push(x.t - t);
      first.delete(id(x));
    }
    stages.set(name, out);
  };
  flushGap(api, 'api.send', 'api.send_flush', 'W1 API Append write -> its setImmediate (send deferral)');
  flushGap(leader, 'L.answer', 'L.answer_flush', 'W2 leader answer -> its setImmediate');
  flushGap(leader, 'L.fetch_sent', 'L.fetch_flush', 'W3 leader fetch response -> its setImmediate');
  for (const fp of followers) flushGap(fp, 'F.ack', 'F.ack_flush', 'W4 follower ack -> its setImmediate');
  const seconds = (tEnd - tStart) / 1e6;
  console.log(
    `${batches} Appends in ${seconds.toFixed(1)} s: ${Math.round(messages / seconds)} msg/s, ${Math.round(messages / batches)} messages per Append`,
  );
  console.log(`leader writev start to the next: median ${pct(gaps, 50)} µs, p90 ${pct(gaps, 90)}`);
  f.forEach((fp, i) => {
    const multi = fp.groupSizes.filter((n) => n > 1).length;
    console.log(`follower ${i}: ${fp.groupSizes.length} groups, ${multi} of more than one write`);
  });
  console.log('\n| stage | n | median µs | p90 µs |\n| --- | ---: | ---: | ---: |');
  for (const [name, values] of [...stages.entries()].sort((a, b) => a[0].localeCompare(b[0]))) {
    console.log(`| ${name} | ${values.length} | ${pct(values, 50)} | ${pct(values, 90)} |`);
  }
}

if (require.main === module) main(process.argv.slice(2));
