/**
 * The writes of part 2 in the suite (`npm run bench`, unless `--only` leaves out `writes`):
 * POST /Data/Batch from 8 closed-loop writers, each sending batches of 100 messages of 100 B
 * (target: at least 150,000 messages/s), and single POSTs at C=64 with and without an
 * Idempotency-Key, measured back to back in the same round so the cost of the key is a ratio
 * of two figures taken under the same conditions (target: at most 10% fewer per second).
 */
import { randomUUID } from 'node:crypto';
import { Client } from 'undici';
import type { LoopResult, Operation } from './lib/closed-loop';
import { fmtInt, fmtMs, fmtPct, median, WARM_UP_LABEL } from './lib/stats';

export const BATCH_WRITERS = 8;
export const BATCH_MESSAGES = 100;
export const KEYED_CONCURRENCY = 64;
export const MESSAGE = 'x'.repeat(100);

export type WriteCase = 'batch' | 'single' | 'single + key';

export interface WriteSample {
  /** 1..repeat; 0 or below: a warm-up round (--warm-rounds), listed but in no median. */
  round: number;
  case: WriteCase;
  /** Requests per second. */
  opsPerSec: number;
  /** Messages per second (= requests for single POSTs). */
  messagesPerSec: number;
  p50Ms: number;
  p99Ms: number;
  errors: number;
  errorSamples: string[];
  /** CPU per process during the window, fraction of one core (api, L, F1, F2, etcd, other). */
  cpu: Record<string, number>;
}

/** µs of CPU per message of the API, the leader and both followers together (load-independent). */
export function cpuPerMessageUs(sample: WriteSample): { api: number; replicas: number } {
  const share = (label: string) => sample.cpu[label] ?? 0;
  const perMessage = (cores: number) => (cores / sample.messagesPerSec) * 1e6;
  return {
    api: perMessage(share('api')),
    replicas: perMessage(share('L') + share('F1') + share('F2')),
  };
}

type Loop = (concurrency: number, op: Operation) => Promise<LoopResult>;

function clients(origin: string, count: number): Client[] {
  return Array.from(
    { length: count },
    () => new Client(origin, { pipelining: 1, keepAliveTimeout: 60_000 }),
  );
}

/** One POST to the API; throws unless it answers 201. */
export async function post(
  client: Client,
  auth: Record<string, string>,
  path: string,
  body: string,
  key?: string,
): Promise<void> {
  const headers: Record<string, string> = { ...auth, 'content-type': 'application/json' };
  if (key !== undefined) headers['idempotency-key'] = key;
  const res = await client.request({ path, method: 'POST', headers, body });
  const text = await res.body.text();
  if (res.statusCode !== 201)
    throw new Error(`POST ${path} ${res.statusCode}: ${text.slice(0, 200)}`);
}

/** One round of the three cases; the two single-POST cases alternate order by round. */
export async function measureWrites(
  origin: string,
  /** Sent with every request: an API key's Authorization, or nothing. */
  auth: Record<string, string>,
  round: number,
  loop: Loop,
): Promise<WriteSample[]> {
  const samples: WriteSample[] = [];
  const sample = (which: WriteCase, result: LoopResult, perOp: number) =>
    samples.push({
      round,
      case: which,
      opsPerSec: result.opsPerSec,
      messagesPerSec: result.opsPerSec * perOp,
      p50Ms: result.p50Ms,
      p99Ms: result.p99Ms,
      errors: result.errors,
      errorSamples: result.errorSamples,
      cpu: result.cpu,
    });

  const batchBody = JSON.stringify({ messages: Array(BATCH_MESSAGES).fill(MESSAGE) });
  const batchClients = clients(origin, BATCH_WRITERS);
  sample(
    'batch',
    await loop(BATCH_WRITERS, (w) => post(batchClients[w], auth, '/Data/Batch', batchBody)),
    BATCH_MESSAGES,
  );
  await Promise.all(batchClients.map((client) => client.close()));

  const single = clients(origin, KEYED_CONCURRENCY);
  const body = JSON.stringify({ message: MESSAGE });
  const order: WriteCase[] =
    round % 2 === 1 ? ['single', 'single + key'] : ['single + key', 'single'];
  for (const which of order) {
    const keyed = which === 'single + key';
    const result = await loop(KEYED_CONCURRENCY, (w) =>
      post(single[w], auth, '/Data', body, keyed ? randomUUID() : undefined),
    );
    sample(which, result, 1);
  }
  await Promise.all(single.map((client) => client.close()));
  return samples;
}

/** The markdown table of the write rows: medians over rounds, the key's cost per round. */
export function printWrites(all: WriteSample[]): void {
  // Warm-up rounds are listed per round below, never in a median.
  const samples = all.filter((s) => s.round >= 1);
  const of = (which: WriteCase) => samples.filter((s) => s.case === which);
  const rounds = [...new Set(samples.map((s) => s.round))];
  const costs = rounds.flatMap((round) => {
    const plain = samples.find((s) => s.round === round && s.case === 'single');
    const keyed = samples.find((s) => s.round === round && s.case === 'single + key');
    return plain && keyed ? [1 - keyed.opsPerSec / plain.opsPerSec] : [];
  });
  const cost = costs.length ? median(costs) : NaN;
  const batchRate = median(of('batch').map((s) => s.messagesPerSec));
  console.log('\n### Writes of part 2: batches and Idempotency-Key (100 B messages)\n');
  console.log(
    '| case | C | requests/s | messages/s | p50 ms | p99 ms | CPU µs/msg API · replicas | other | errors | target |',
  );
  console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |');
  const line = (which: WriteCase, c: number, target: string) => {
    const rows = of(which);
    if (!rows.length) return;
    console.log(
      `| ${which === 'batch' ? `POST /Data/Batch, ${BATCH_MESSAGES} messages` : `POST /Data${which === 'single + key' ? ' + Idempotency-Key' : ''}`} | ${c} | ` +
        `${fmtInt(median(rows.map((s) => s.opsPerSec)))} | ${fmtInt(median(rows.map((s) => s.messagesPerSec)))} | ` +
        `${fmtMs(median(rows.map((s) => s.p50Ms)))} | ${fmtMs(median(rows.map((s) => s.p99Ms)))} | ` +
        `${median(rows.map((s) => cpuPerMessageUs(s).api)).toFixed(1)} · ${median(rows.map((s) => cpuPerMessageUs(s).replicas)).toFixed(1)} | ` +
        `${fmtPct(median(rows.map((s) => s.cpu.other ?? NaN)))} | ` +
        `${rows.reduce((sum, s) => sum + s.errors, 0)} | ${target} |`,
    );
  };
  line('batch', BATCH_WRITERS, `≥ 150,000 msg/s ${batchRate >= 150_000 ? '✅' : '❌'}`);
  line('single', KEYED_CONCURRENCY, '');
  line(
    'single + key',
    KEYED_CONCURRENCY,
    `cost ${fmtPct(cost)} (≤ 10% ${cost <= 0.1 ? '✅' : '❌'})`,
  );
  console.log(
    '\nPer round (CPU in µs per message, "other" = the rest of the host, % of a core):\n',
  );
  for (const s of all) {
    const cpu = cpuPerMessageUs(s);
    console.log(
      `- ${s.round >= 1 ? `round ${s.round}` : WARM_UP_LABEL}, ${s.case}: ${fmtInt(s.messagesPerSec)} msg/s, CPU API ${cpu.api.toFixed(1)} · replicas ${cpu.replicas.toFixed(1)}, other ${fmtPct(s.cpu.other ?? NaN)}`,
    );
  }
  for (const s of all.filter((x) => x.errorSamples.length)) {
    console.log(
      `\nerrors in ${s.case} (${s.round >= 1 ? `round ${s.round}` : WARM_UP_LABEL}): ${s.errorSamples.join(' | ')}`,
    );
  }
}
