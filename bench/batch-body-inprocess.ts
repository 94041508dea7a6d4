/**
 * What the API spends on a POST /Data/Batch body before the producer, in one process
 * (bench/RESULTS.md, "The bulk paths", session 12): the full path (the structure scan, the
 * UTF-8 decode, JSON.parse, the __proto__ walk, checkBatchMessages' checks and a Buffer per
 * message) against the scan of a plain body (apps/api/src/http/batch-body-scan.ts and
 * checkScannedBatch), and the producer's join of `--concurrency` writes' messages with flatMap against
 * concatLists. Rounds alternate; prints CPU µs per body (per join), GC included.
 *
 *   ts-node -r tsconfig-paths/register --transpile-only bench/batch-body-inprocess.ts \
 *     [--messages 100] [--size 100] [--concurrency 8] [--rounds 5]
 */
import { concatLists } from '@distilled/common';
import { checkBatchMessages, checkScannedBatch } from '../apps/api/src/data/batch-messages';
import { scanBatchBody } from '../apps/api/src/http/batch-body-scan';
import { jsonStructureProblem } from '../apps/api/src/http/json-structure';
import { protoKeyProblem } from '../apps/api/src/http/proto-key';
import { MAX_JSON_DEPTH, MAX_JSON_OBJECT_FIELDS, MAX_JSON_VALUES } from '../apps/api/src/constants';
import { Args } from './lib/args';

const UTF8 = new TextDecoder('utf-8', { fatal: true });
const STRUCTURE = {
  depth: MAX_JSON_DEPTH,
  objectFields: MAX_JSON_OBJECT_FIELDS,
  values: MAX_JSON_VALUES,
};
const LIMITS = { maxMessageBytes: 1024 * 1024, maxBatchBytes: 16 * 1024 * 1024 };

function cpuMicrosPerCall(calls: number, call: () => unknown): number {
  const start = process.cpuUsage();
  for (let i = 0; i < calls; i++) call();
  const used = process.cpuUsage(start);
  return (used.user + used.system) / calls;
}

export async function run(argv: string[]): Promise<void> {
  const args = new Args(argv);
  const count = Math.round(args.number('messages', 100));
  const size = Math.round(args.number('size', 100));
  const writes = Math.round(args.number('concurrency', 8));
  const rounds = Math.round(args.number('rounds', 5));
  const messages = Array.from({ length: count }, (_, i) => `m${i}-`.padEnd(size, 'x'));
  const body = Buffer.from(JSON.stringify({ messages }));
  const parsed = (): Buffer[] => {
    if (jsonStructureProblem(body, STRUCTURE) !== null) throw new Error('structure');
    const value = JSON.parse(UTF8.decode(body)) as { messages: unknown[] };
    if (protoKeyProblem(value) !== null) throw new Error('__proto__');
    return checkBatchMessages(value.messages, LIMITS);
  };
  const scanned = (): Buffer[] => checkScannedBatch(scanBatchBody(body)!, LIMITS);
  if (!Buffer.concat(parsed()).equals(Buffer.concat(scanned()))) throw new Error('paths differ');
  const batch = Array.from({ length: writes }, () => ({ messages: scanned() }));
  const flatMapped = () => batch.flatMap((write) => write.messages);
  const concatenated = () => concatLists(batch.map((write) => write.messages));
  const calls = Math.max(200, Math.round(2_000_000 / (count * Math.max(1, size / 10))));
  for (const warm of [parsed, scanned, flatMapped, concatenated]) cpuMicrosPerCall(calls, warm);
  console.log(
    `${count} messages of ${size} B per body (${body.length} B); joins of ${writes} bodies`,
  );
  console.log(
    '| round | full path µs/body | scan µs/body | flatMap µs/join | concatLists µs/join |',
  );
  console.log('| ---: | ---: | ---: | ---: | ---: |');
  for (let round = 1; round <= rounds; round++) {
    const cells = [parsed, scanned, flatMapped, concatenated].map((call) =>
      cpuMicrosPerCall(calls, call).toFixed(1),
    );
    console.log(`| ${round} | ${cells.join(' | ')} |`);
  }
}

if (require.main === module) void run(process.argv.slice(2));
