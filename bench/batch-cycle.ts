/**
 * What one commit cycle of the batch case costs, per process (`npm run bench -- batch-cycle`):
 * 8 writers each POSTing /Data/Batch of 100 × 100 B messages, warmed up first, then one measured
 * window in which every replica and the API is counted by the kernel (CPU, context switches,
 * system calls via `perf stat`) and the leader's log gives the record batches written, i.e. the
 * commit cycles. Divides everything by cycles and by messages: those figures do not depend on how
 * busy the shared host is, so builds can be compared (`--dist`) on a loaded machine.
 */
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { closeSync, openSync, readdirSync, readFileSync, readSync, statSync } from 'node:fs';
import * as os from 'node:os';
import { join } from 'node:path';
import { Client } from 'undici';
import { Args } from './lib/args';
import { BenchCluster, standardCluster } from './lib/cluster';
import { fmtInt } from './lib/stats';
import { printProfiles, summarizeProfiles } from './lib/profile';
import { repoRoot } from '@distilled/launcher';
import { BATCH_HEADER_BYTES, readBatchHeader } from '@distilled/log-store';

interface Counters {
  cpuTicks: number;
  /** Of cpuTicks, in the kernel (system calls, the socket and file work they do). */
  systemTicks: number;
  voluntary: number;
  involuntary: number;
}

function counters(pid: number): Counters {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  let voluntary = 0;
  let involuntary = 0;
  for (const task of readdirSync(`/proc/${pid}/task`)) {
    try {
      const status = readFileSync(`/proc/${pid}/task/${task}/status`, 'utf8');
      voluntary += Number(/voluntary_ctxt_switches:\s+(\d+)/.exec(status)?.[1] ?? 0);
      involuntary += Number(/nonvoluntary_ctxt_switches:\s+(\d+)/.exec(status)?.[1] ?? 0);
    } catch {
      // a thread that ended meanwhile
    }
  }
  return {
    cpuTicks: Number(fields[11]) + Number(fields[12]),
    systemTicks: Number(fields[12]),
    voluntary,
    involuntary,
  };
}

/** System calls counted by name (perf tracepoints), to see what a commit cycle is made of. */
const NAMED_CALLS = [
  'read',
  'write',
  'writev',
  'epoll_wait',
  'epoll_pwait',
  'futex',
  'mprotect',
  'madvise',
] as const;

interface Calls {
  all: number;
  /** fdatasync calls: this process's own commit cycles (a leader's group, a follower's fetch). */
  fsyncs: number;
  named: Record<string, number>;
}

/** System calls of `pid` (all threads) during `seconds`, by `perf stat` on tracepoints. */
function syscalls(pid: number, seconds: number): Promise<Calls> {
  return new Promise((resolve) => {
    execFile(
      'perf',
      [
        'stat',
        '-x,',
        '-e',
        [
          'raw_syscalls:sys_enter',
          'syscalls:sys_enter_fdatasync',
          ...NAMED_CALLS.map((name) => `syscalls:sys_enter_${name}`),
        ].join(','),
        '-p',
        String(pid),
        '--',
        'sleep',
        String(seconds),
      ],
      (error, _stdout, stderr) => {
        if (error) return resolve({ all: NaN, fsyncs: NaN, named: {} });
        const count = (event: string) => {
          const line = stderr.split('\n').find((l) => l.split(',')[2] === event);
          return line ? Number(line.split(',')[0]) : NaN;
        };
        resolve({
          all: count('raw_syscalls:sys_enter'),
          fsyncs: count('syscalls:sys_enter_fdatasync'),
          named: Object.fromEntries(
            NAMED_CALLS.map((name) => [name, count(`syscalls:sys_enter_${name}`)]),
          ),
        });
      },
    );
  });
}

/** [record batches, messages] with base offset in [from, to) in the segments under `dir`. */
function batchesIn(dir: string, from: number, to: number): [number, number] {
  let batches = 0;
  let messages = 0;
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const path = join(d, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (name.endsWith('.log')) {
        const fd = openSync(path, 'r');
        try {
          const size = statSync(path).size;
          const head = Buffer.alloc(BATCH_HEADER_BYTES);
          let pos = 0;
          while (pos + BATCH_HEADER_BYTES <= size) {
            if (readSync(fd, head, 0, BATCH_HEADER_BYTES, pos) < BATCH_HEADER_BYTES) break;
            const { baseOffset, count, size: bytes } = readBatchHeader(head);
            if (bytes < BATCH_HEADER_BYTES) break;
            if (baseOffset >= from && baseOffset < to) {
              batches++;
              messages += count;
            }
            pos += bytes;
          }
        } finally {
          closeSync(fd);
        }
      }
    }
  };
  walk(dir);
  return [batches, messages];
}

export async function run(argv: string[]): Promise<void> {
  const args = new Args(argv);
  const writers = Math.max(1, Math.round(args.number('concurrency', 8)));
  const messagesPerRequest = Math.max(1, Math.round(args.number('batch', 100)));
  const warmS = args.number('warmup', 8);
  const seconds = args.number('duration', 5);
  // --key: every request carries a fresh Idempotency-Key (what a key costs per commit cycle).
  const keyed = args.has('key');
  // --profile: CPU profiles of the measured window (and shutdown), instead of trusting counts alone.
  const profileDir = args.has('profile')
    ? join(repoRoot(), 'bench', 'results', 'profiles', `batch-cycle-${Date.now()}`)
    : undefined;
  const bench = await BenchCluster.start({ ...standardCluster(args), profileDir });
  let names = new Map<number, string>();
  try {
    const api = bench.cluster.api!;
    const body = JSON.stringify({ messages: Array(messagesPerRequest).fill('x'.repeat(100)) });
    const clients = Array.from({ length: writers }, () => new Client(api.url, { pipelining: 1 }));
    let stop = false;
    let acked = 0;
    let highest = 0;
    const writer = async (client: Client) => {
      while (!stop) {
        const res = await client.request({
          path: '/Data/Batch',
          method: 'POST',
          headers: {
            ...bench.apiHeaders,
            'content-type': 'application/json',
            ...(keyed ? { 'idempotency-key': randomUUID() } : {}),
          },
          body,
        });
        const text = await res.body.text();
        if (res.statusCode !== 201) throw new Error(`${res.statusCode} ${text}`);
        acked += messagesPerRequest;
        const first = (JSON.parse(text) as { firstOffset?: number }).firstOffset;
        if (typeof first === 'number') highest = Math.max(highest, first + messagesPerRequest);
      }
    };
    const running = clients.map(writer);
    await new Promise((r) => setTimeout(r, warmS * 1000));
    const { pids } = await bench.pids();
    await bench.resetProfiles();
    const labels = ['api', 'L', 'F1', 'F2'].filter((l) => pids[l]);
    const fromOffset = highest;
    const before = Object.fromEntries(labels.map((l) => [l, counters(pids[l]!)]));
    const ackedBefore = acked;
    const host0 = os.cpus().reduce((s, c) => s + c.times.user + c.times.sys + c.times.irq, 0);
    const started = performance.now();
    const calls = await Promise.all(labels.map((l) => syscalls(pids[l]!, seconds)));
    const elapsed = (performance.now() - started) / 1000;
    const after = Object.fromEntries(labels.map((l) => [l, counters(pids[l]!)]));
    const host1 = os.cpus().reduce((s, c) => s + c.times.user + c.times.sys + c.times.irq, 0);
    const messages = acked - ackedBefore;
    const toOffset = highest;
    stop = true;
    await Promise.allSettled(running);
    await Promise.all(clients.map((c) => c.close()));
    const leader = await bench.leader();
    const [batches, inBatches] = batchesIn(
      join(bench.cluster.dataRoot, leader.id),
      fromOffset,
      toOffset,
    );
    const tick = 100; // USER_HZ
    const rate = messages / elapsed;
    const cycles = (batches / Math.max(1, inBatches)) * messages;
    console.log(
      `\n### Batch cycle: ${writers} writers × ${messagesPerRequest} × 100 B, ${warmS}s warm, ${seconds}s measured${keyed ? ', each with an Idempotency-Key' : ''}; load ${os
        .loadavg()
        .map((l) => l.toFixed(1))
        .join(
          ' ',
        )}; host busy ${(((host1 - host0) / 1000 / elapsed) * 100).toFixed(0)}% of a core${args.has('note') ? `; ${args.string('note', '')}` : ''}\n`,
    );
    console.log(
      `${fmtInt(rate)} msg/s; leader's log: ${fmtInt(batches)} record batches, ${(inBatches / Math.max(1, batches)).toFixed(0)} messages per batch (${fmtInt(cycles / elapsed)} record batches/s)\n`,
    );
    console.log(
      '| process | CPU % | µs CPU/msg | µs CPU/record batch | syscalls/record batch | ctx sw vol/record batch | invol/record batch | fdatasyncs/s | msg/fdatasync |',
    );
    console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
    for (const [i, l] of labels.entries()) {
      const cpuS = (after[l].cpuTicks - before[l].cpuTicks) / tick;
      console.log(
        `| ${l} | ${((cpuS / elapsed) * 100).toFixed(0)} | ${((cpuS / messages) * 1e6).toFixed(2)} | ${((cpuS / cycles) * 1e6).toFixed(0)} | ` +
          `${(calls[i].all / cycles).toFixed(1)} | ${((after[l].voluntary - before[l].voluntary) / cycles).toFixed(1)} | ${((after[l].involuntary - before[l].involuntary) / cycles).toFixed(1)} | ` +
          `${calls[i].fsyncs > 0 ? `${fmtInt(calls[i].fsyncs / elapsed)} | ${fmtInt(messages / calls[i].fsyncs)}` : '– | –'} |`,
      );
    }
    console.log(
      `\n| process | µs user/record batch | µs system/record batch | ${NAMED_CALLS.join(' | ')} (per record batch) |`,
    );
    console.log(`| --- | ---: | ---: | ${NAMED_CALLS.map(() => '---:').join(' | ')} |`);
    for (const [i, l] of labels.entries()) {
      const systemS = (after[l].systemTicks - before[l].systemTicks) / tick;
      const userS = (after[l].cpuTicks - before[l].cpuTicks) / tick - systemS;
      console.log(
        `| ${l} | ${((userS / cycles) * 1e6).toFixed(0)} | ${((systemS / cycles) * 1e6).toFixed(0)} | ` +
          `${NAMED_CALLS.map((name) => (calls[i].named[name] / cycles).toFixed(1)).join(' | ')} |`,
      );
    }
    names = new Map(Object.entries(pids).map(([label, pid]) => [pid!, label]));
  } finally {
    await bench.stop();
  }
  if (profileDir) printProfiles(summarizeProfiles(profileDir, names));
}
