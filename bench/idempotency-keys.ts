/**
 * What remembering Idempotency-Keys costs a leader (apps/server/README.md, "Idempotency-Key and
 * Expected-Offset"): heap per remembered key, and how long a new leader takes to fill its key table
 * from the log (key-table-scan.ts), for a log of N keyed single-message batches (100-byte messages,
 * 36-character keys, as a client sending UUIDs would). Prints a markdown table.
 *
 *   npm run bench -- idempotency-keys [--keys 1000000] [--dir <scratch dir>]
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { randomUUID } from 'node:crypto';
import * as v8 from 'node:v8';
import * as vm from 'node:vm';
import { Log } from '@distilled/log-store';
import { IdempotencyKeyTable } from '../apps/server/src/replication/idempotency-keys';
import { scanKeys } from '../apps/server/src/replication/key-table-scan';

const MESSAGE = Buffer.alloc(100, 'x');
const HASH_BYTES = 16;
const APPENDS_PER_TURN = 2000;

function arg(args: string[], name: string, fallback: string): string {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] ? args[i + 1] : fallback;
}

/** The JS heap and the memory of ArrayBuffers outside it (the table's typed arrays). */
function heapAndBuffers(): number {
  const usage = process.memoryUsage();
  return usage.heapUsed + usage.arrayBuffers;
}

/** A full collection, so heap figures count live objects only. */
function collect(): void {
  v8.setFlagsFromString('--expose-gc');
  (vm.runInNewContext('gc') as () => void)();
}

export async function run(args: string[]): Promise<void> {
  const keys = Number(arg(args, 'keys', '1000000'));
  const scratch = fs.mkdtempSync(path.join(arg(args, 'dir', os.tmpdir()), 'distilled-keys-'));
  try {
    const log = await Log.open({ dir: scratch, fsync: 'never' });
    const writeStart = performance.now();
    for (let written = 0; written < keys;) {
      const turn = Math.min(APPENDS_PER_TURN, keys - written);
      await Promise.all(
        Array.from({ length: turn }, () =>
          log.append([MESSAGE], 1, undefined, {
            idempotency: { key: randomUUID(), hash: Buffer.alloc(HASH_BYTES, 7) },
          }),
        ),
      );
      written += turn;
    }
    const writeSeconds = (performance.now() - writeStart) / 1000;
    const logBytes = fs
      .readdirSync(scratch)
      .filter((name) => name.endsWith('.log'))
      .reduce((sum, name) => sum + fs.statSync(path.join(scratch, name)).size, 0);

    collect();
    const heapBefore = heapAndBuffers();
    const table = new IdempotencyKeyTable({ maxKeys: keys, windowMs: 24 * 3600 * 1000 });
    const scanStart = performance.now();
    const scan = await scanKeys(log, table, 0, log.logEndOffset);
    const scanSeconds = (performance.now() - scanStart) / 1000;
    collect();
    const heapAfter = heapAndBuffers();
    await log.close();

    const mb = (bytes: number) => (bytes / 1024 / 1024).toFixed(0);
    console.log(`\nIdempotency keys: ${keys.toLocaleString('en-US')} keyed batches\n`);
    console.log('| measure | value |');
    console.log('| --- | ---: |');
    console.log(
      `| log written (fsync never) | ${mb(logBytes)} MiB in ${writeSeconds.toFixed(1)} s |`,
    );
    console.log(`| keys found by the scan | ${scan.keys.toLocaleString('en-US')} |`);
    console.log(`| rebuild (scan) time | ${scanSeconds.toFixed(2)} s |`);
    console.log(
      `| heap (and buffers) of the table | ${mb(heapAfter - heapBefore)} MiB = ${Math.round((heapAfter - heapBefore) / table.size)} B per key |`,
    );
    console.log(`\n(${os.cpus().length} cores, Node ${process.version}, ${scratch})`);
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}
