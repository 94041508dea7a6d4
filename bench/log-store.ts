/**
 * libs/log-store benchmark: appends/s with fsync `always` (1 and 64 concurrent appenders) and
 * random reads/s on a 1,000,000-message log, each next to the raw bound of the same disk
 * measured in the same run (a loop of 100-byte write + fdatasync, and of 64 records per
 * fdatasync). Prints a markdown table.
 *
 *   npm run bench -- log-store [--dir <scratch dir>] [--seconds <per slice>] [--rounds <n>]
 *
 * The scratch dir defaults to the OS temp dir; point it at the disk you care about.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Log } from '@distilled/log-store';
import { Args } from './lib/args';

const MESSAGE = Buffer.alloc(100, 'x');
const READ_LOG_MESSAGES = 1_000_000;

/** Raw bound: `records` 100-byte records per write, one fdatasync per write, for `seconds`. */
function rawSyncLoop(dir: string, records: number, seconds: number): number {
  const file = path.join(dir, `raw-${records}.bin`);
  const fd = fs.openSync(file, 'w');
  const chunk = Buffer.alloc(records * MESSAGE.length, 'y');
  let position = 0;
  let ops = 0;
  const start = performance.now();
  const end = start + seconds * 1000;
  while (performance.now() < end) {
    fs.writeSync(fd, chunk, 0, chunk.length, position);
    fs.fdatasyncSync(fd);
    position += chunk.length;
    ops++;
  }
  const elapsed = (performance.now() - start) / 1000;
  fs.closeSync(fd);
  fs.rmSync(file);
  return (ops * records) / elapsed;
}

async function appendRate(dir: string, appenders: number, seconds: number): Promise<number> {
  const log = await Log.open({ dir, fsync: 'always' });
  let done = 0;
  const end = performance.now() + seconds * 1000;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: appenders }, async () => {
      while (performance.now() < end) {
        await log.append([MESSAGE], 1);
        done++;
      }
    }),
  );
  const rate = done / ((performance.now() - start) / 1000);
  await log.close();
  return rate;
}

async function buildReadLog(dir: string): Promise<Log> {
  // Built with fsync `never` (the build is not what is measured) from 64 concurrent appenders,
  // so the batches look like a busy leader's: mostly one 100-byte message each.
  const log = await Log.open({ dir, fsync: 'never' });
  let next = 0;
  await Promise.all(
    Array.from({ length: 64 }, async () => {
      while (next < READ_LOG_MESSAGES) {
        next++;
        await log.append([MESSAGE], 1);
      }
    }),
  );
  return log;
}

async function randomReadRate(log: Log, seconds: number): Promise<number> {
  const n = log.logEndOffset;
  let done = 0;
  const start = performance.now();
  const end = start + seconds * 1000;
  while (performance.now() < end) {
    for (let i = 0; i < 1000; i++) {
      const r = await log.read(Math.floor(Math.random() * n));
      if (r.message.length !== MESSAGE.length) throw new Error('bad read');
    }
    done += 1000;
  }
  return done / ((performance.now() - start) / 1000);
}

function median(xs: number[]): number {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');
const pct = (a: number, b: number): string => `${Math.round((100 * a) / b)}%`;

export async function run(argv: string[]): Promise<void> {
  const args = new Args(argv);
  const base = args.string('dir', os.tmpdir());
  const seconds = args.number('seconds', 1);
  const rounds = args.number('rounds', 5);
  const scratch = fs.mkdtempSync(path.join(base, 'distilled-bench-'));
  try {
    // Disk sync latency drifts (VMs, other tenants), so the log and its raw bound are measured
    // in alternating slices and each reported as the median of its slices.
    const samples = {
      rawOne: [] as number[],
      one: [] as number[],
      rawGrouped: [] as number[],
      many: [] as number[],
    };
    for (let round = 0; round < rounds; round++) {
      samples.rawOne.push(rawSyncLoop(scratch, 1, seconds));
      samples.one.push(await appendRate(path.join(scratch, `append-1-${round}`), 1, seconds));
      samples.rawGrouped.push(rawSyncLoop(scratch, 64, seconds));
      samples.many.push(await appendRate(path.join(scratch, `append-64-${round}`), 64, seconds));
    }
    const [rawOne, one, rawGrouped, many] = [
      samples.rawOne,
      samples.one,
      samples.rawGrouped,
      samples.many,
    ].map(median);
    // Ratios are taken per round (each slice next to its own bound), then the median.
    const ratioOne = median(samples.one.map((v, i) => v / samples.rawOne[i]));
    const ratioMany = median(samples.many.map((v, i) => v / samples.rawGrouped[i]));
    const buildStart = performance.now();
    const readLog = await buildReadLog(path.join(scratch, 'read'));
    const buildSeconds = (performance.now() - buildStart) / 1000;
    const reads = await randomReadRate(readLog, 3);
    await readLog.close();

    console.log(
      `\n### log-store (${os.cpus().length} CPUs, node ${process.version}, scratch ${base}; appends: median of ${rounds} alternating ${seconds}s slices; reads: 3s)\n`,
    );
    console.log(
      '| measurement | log-store | raw bound, same disk, same run | log-store / bound (median of per-round ratios) |',
    );
    console.log('| --- | ---: | ---: | ---: |');
    console.log(
      `| appends/s, 100 B, fsync always, 1 appender | ${fmt(one)} | ${fmt(rawOne)} (write+fdatasync per record) | ${pct(ratioOne, 1)} |`,
    );
    console.log(
      `| appends/s, 100 B, fsync always, 64 appenders | ${fmt(many)} | ${fmt(rawGrouped)} (64 records per fdatasync) | ${pct(ratioMany, 1)} |`,
    );
    console.log(
      `| random reads/s, ${fmt(READ_LOG_MESSAGES)}-message log | ${fmt(reads)} | target 100,000 | ${pct(reads, 100_000)} |`,
    );
    console.log(`\n(read log built in ${buildSeconds.toFixed(1)}s with fsync never)`);
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}
