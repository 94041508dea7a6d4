/**
 * Two write loads side by side, at the same time (`npm run bench -- at-once`): two clusters (3
 * replicas, min in-sync 2, fsync always, the API), each from its own build (`--a`, `--b`) and
 * each driven by its own closed-loop writers, started together every round.
 *
 * Why at once: this host's speed flips between regimes for seconds at a time (the same loop of
 * CPU work takes 8 ms or 12.5 ms; batch-cycle on one build gave 77k to 152k msg/s within
 * minutes), so two figures taken one after the other differ by the host as much as by what is
 * compared. Run together, both sides see the same host, and the side that needs less CPU per
 * request takes more of the two cores. That is a fair test of CPU cost, and a harsh one of
 * latency: a side that waits more leaves its share of the cores to the other.
 *
 * Cases: `batch` (8 writers × POST /Data/Batch of 100 × 100 B, issue 15's row), `single`
 * (64 writers × POST /Data of 100 B) and `keyed` (the same with an Idempotency-Key each).
 *   - Two builds: `--a <build>/apps --b <build>/apps [--case batch]`; B ÷ A per round.
 *   - The cost of a key: `--a <build>/apps --case-a single --case-b keyed`. With one build
 *     (no --b) the two clusters swap cases every round, so a difference between the clusters
 *     cancels out; keyed ÷ single per round.
 * `--a` and `--b` the same build and case shows the method's own spread (about ±2% per round).
 * Two builds can still differ by their place: in two of three keyed runs of session 13, whichever
 * build ran as B had its API cost 16–20% more. Run both orders (swap --a and --b) and take the
 * geometric mean of the two ratios, or compare each build's single-vs-keyed ratio, where the
 * clusters swap cases and their places cancel out.
 *
 *   npm run bench -- at-once --a <build>/apps [--b <build>/apps] [--case batch] \
 *     [--case-a <case>] [--case-b <case>] [--a-node-args "<flags>"] [--b-node-args "<flags>"] \
 *     [--rounds 5] [--warmup 5] [--duration 5] [--writers n: fewer than the case's, latency-bound]
 */
import { randomUUID } from 'node:crypto';
import { Client } from 'undici';
import { Args } from './lib/args';
import { BenchCluster, nodeArgsFlag, standardCluster } from './lib/cluster';
import { cpuSeconds } from './lib/proc';
import { fmtInt, median } from './lib/stats';
import { BATCH_MESSAGES, BATCH_WRITERS, KEYED_CONCURRENCY, MESSAGE, post } from './writes';

const CASES = {
  batch: { writers: BATCH_WRITERS, messages: BATCH_MESSAGES, path: '/Data/Batch', keyed: false },
  single: { writers: KEYED_CONCURRENCY, messages: 1, path: '/Data', keyed: false },
  keyed: { writers: KEYED_CONCURRENCY, messages: 1, path: '/Data', keyed: true },
} as const;
type Case = keyof typeof CASES;

interface Cluster {
  bench: BenchCluster;
  /** API, leader and followers, in ROLES order. */
  pids: number[];
}

/** The processes of a cluster, in this order (pids and per-process figures). */
const ROLES = ['api', 'L', 'F1', 'F2'] as const;

interface Window {
  messages: number;
  cpuS: number;
  /** CPU seconds of each process (ROLES order; NaN for one that is gone). */
  perProcess: number[];
}

/** One case's writers on one cluster for `warmS + seconds`; counts the last `seconds`. */
async function drive(
  cluster: Cluster,
  which: Case,
  warmS: number,
  seconds: number,
  writers?: number,
): Promise<Window> {
  const spec = { ...CASES[which], writers: writers ?? CASES[which].writers };
  const body = JSON.stringify(
    spec.messages > 1 ? { messages: Array(spec.messages).fill(MESSAGE) } : { message: MESSAGE },
  );
  const origin = cluster.bench.cluster.api!.url;
  const clients = Array.from({ length: spec.writers }, () => new Client(origin, { pipelining: 1 }));
  let stop = false;
  let acked = 0;
  const writer = async (client: Client) => {
    while (!stop) {
      const key = spec.keyed ? randomUUID() : undefined;
      await post(client, cluster.bench.apiHeaders, spec.path, body, key);
      acked += spec.messages;
    }
  };
  const cpu = () => cluster.pids.map((pid) => cpuSeconds(pid));
  const running = clients.map(writer);
  try {
    await new Promise((r) => setTimeout(r, warmS * 1000));
    const acked0 = acked;
    const cpu0 = cpu();
    await new Promise((r) => setTimeout(r, seconds * 1000));
    const perProcess = cpu().map((s, i) => s - cpu0[i]);
    const cpuS = perProcess.reduce((sum, s) => sum + s, 0);
    return { messages: acked - acked0, cpuS, perProcess };
  } finally {
    stop = true;
    await Promise.allSettled(running);
    await Promise.all(clients.map((c) => c.close()));
  }
}

function caseFlag(args: Args, name: 'case' | 'case-a' | 'case-b', fallback: Case): Case {
  const value = args.string(name, fallback);
  if (!(value in CASES)) {
    console.error(`--${name} ${value}: one of ${Object.keys(CASES).join(', ')}`);
    process.exit(2);
  }
  return value as Case;
}

export async function run(argv: string[]): Promise<void> {
  const args = new Args(argv);
  const rounds = Math.max(1, Math.round(args.number('rounds', 5)));
  const warmS = args.number('warmup', 5);
  const seconds = args.number('duration', 5);
  // Fewer writers than the case's own keep two clusters within the host's cores: a change to
  // latency, not CPU, then shows in msg/s (both clusters at once are CPU-bound otherwise).
  const writersFlag = args.number('writers', 0);
  const writers = writersFlag > 0 ? Math.round(writersFlag) : undefined;
  const distA = args.string('a', '');
  const distB = args.string('b', '');
  const both = caseFlag(args, 'case', 'batch');
  const caseA = caseFlag(args, 'case-a', both);
  const caseB = caseFlag(args, 'case-b', both);
  if (!distA || (!distB && caseA === caseB)) {
    console.error(
      'usage: npm run bench -- at-once --a <build>/apps (--b <build>/apps | --case-a <case> --case-b <case>) [flags]',
    );
    process.exit(2);
  }
  // One build, two cases: the clusters swap cases every round.
  const swap = !distB;
  const clusters: Cluster[] = [];
  try {
    for (const [side, distDir] of [
      ['a', distA],
      ['b', distB || distA],
    ] as const) {
      // --b-node-args: node flags for B's API and replicas only (e.g. a V8 heap setting).
      const own = nodeArgsFlag(args, `${side}-node-args`);
      const options = { ...standardCluster(args), distDir };
      if (own) {
        options.replicaNodeArgs = own;
        options.apiNodeArgs = own;
      }
      const bench = await BenchCluster.start(options);
      const { pids } = await bench.pids();
      // The pids, for a profiler attached from outside (perf record -p).
      console.log(`${side.toUpperCase()} pids: ${ROLES.map((l) => `${l}=${pids[l]}`).join(' ')}`);
      clusters.push({
        bench,
        pids: ROLES.map((role) => {
          const pid = pids[role];
          if (!pid) throw new Error(`cluster ${side.toUpperCase()} has no ${role} process`);
          return pid;
        }),
      });
    }
    const a = `A: ${caseA} on ${distA}`;
    const b = `B: ${caseB} on ${distB || distA}${swap ? ' (the clusters swap cases every round)' : ''}`;
    const load = writers ? `, ${writers} writers each` : '';
    console.log(`\n### At once, ${warmS}s warm + ${seconds}s per round${load}\n\n- ${a}\n- ${b}\n`);
    console.log('| round | A msg/s | B msg/s | B ÷ A | A µs CPU/msg | B µs CPU/msg |');
    console.log('| ---: | ---: | ---: | ---: | ---: | ---: |');
    const ratios: number[] = [];
    const cpuRatios: number[] = [];
    // Per process, B's CPU per message ÷ A's each round: which process a difference sits in.
    const processRatios: number[][] = ROLES.map(() => []);
    const perMessage: { a: number[][]; b: number[][] } = {
      a: ROLES.map(() => []),
      b: ROLES.map(() => []),
    };
    for (let round = 1; round <= rounds; round++) {
      const [first, second] = swap && round % 2 === 0 ? [1, 0] : [0, 1];
      const [wa, wb] = await Promise.all([
        drive(clusters[first], caseA, warmS, seconds, writers),
        drive(clusters[second], caseB, warmS, seconds, writers),
      ]);
      const ratio = wb.messages / wa.messages;
      const usA = (wa.cpuS / wa.messages) * 1e6;
      const usB = (wb.cpuS / wb.messages) * 1e6;
      ratios.push(ratio);
      cpuRatios.push(usB / usA);
      ROLES.forEach((_, i) => {
        const pa = (wa.perProcess[i] / wa.messages) * 1e6;
        const pb = (wb.perProcess[i] / wb.messages) * 1e6;
        perMessage.a[i].push(pa);
        perMessage.b[i].push(pb);
        processRatios[i].push(pb / pa);
      });
      console.log(
        `| ${round} | ${fmtInt(wa.messages / seconds)} | ${fmtInt(wb.messages / seconds)} | ${ratio.toFixed(3)} | ${usA.toFixed(2)} | ${usB.toFixed(2)} |`,
      );
    }
    console.log(
      `\nmedian B ÷ A: ${median(ratios).toFixed(3)} msg/s (rounds ${ratios.map((r) => r.toFixed(2)).join(', ')}); ` +
        `B's CPU per message ÷ A's: ${median(cpuRatios).toFixed(3)} (rounds ${cpuRatios.map((r) => r.toFixed(2)).join(', ')})`,
    );
    console.log(
      '\n| process | A µs CPU/msg (median) | B µs CPU/msg (median) | B ÷ A (median of rounds) | B ÷ A per round |',
    );
    console.log('| --- | ---: | ---: | ---: | --- |');
    ROLES.forEach((role, i) => {
      console.log(
        `| ${role} | ${median(perMessage.a[i]).toFixed(2)} | ${median(perMessage.b[i]).toFixed(2)} | ${median(processRatios[i]).toFixed(3)} | ${processRatios[i].map((r) => r.toFixed(2)).join(', ')} |`,
      );
    });
  } finally {
    await Promise.all(clusters.map((cluster) => cluster.bench.stop()));
  }
}
