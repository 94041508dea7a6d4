/**
 * What an Idempotency-Key costs the API per POST, in one process and without HTTP
 * (bench/RESULTS.md, "The bulk paths", Idempotency-Key): WritesService → producer (plain) or
 * ConditionalWriter (keyed) → AppendAttempts → the real gateway's append path → AppendStreamClient
 * over an in-memory AppendStream that encodes and decodes both ways with the real protobuf and
 * answers every append (and every part) at once. Rounds of plain and keyed POSTs alternate;
 * prints CPU µs per POST of each round. The end-to-end figure varies with the host's load far
 * more than the per-request CPU this isolates.
 *
 *   ts-node -r tsconfig-paths/register --transpile-only bench/keyed-writes-inprocess.ts \
 *     [--posts 50000] [--concurrency 64] [--rounds 6] [--only plain|keyed]
 */
import { EventEmitter } from 'node:events';
import { randomUUID } from 'node:crypto';
import { Metadata } from '@grpc/grpc-js';
import { APPEND_PARTS_HEADER, AppendStreamClient, compactPartsAnswer } from '@distilled/proto';
import { Answers, arg, Requests, textArg, toObject } from './lib/in-process-wire';
import { parseApiConfig } from '../apps/api/src/config/parse-api-config';
import { MetricsService } from '../apps/api/src/metrics/metrics.service';
import { AppendAttempts } from '../apps/api/src/replicas/append-attempts';
import { ConditionalWriter } from '../apps/api/src/replicas/conditional-writer';
import { GrpcReplicaGateway } from '../apps/api/src/replicas/grpc-replica-gateway';
import { IdempotentProducer } from '../apps/api/src/replicas/idempotent-producer';
import { WritesService } from '../apps/api/src/data/writes.service';

interface WireAppend {
  request_id: number;
  messages: Buffer[];
  parts: Array<{ count: number }>;
  compact_parts_answer: boolean;
}

/** A leader that answers every append at once, over protobuf both ways, a turn later. */
class MemoryAppendStream extends EventEmitter {
  private offset = 0;

  constructor() {
    super();
    setImmediate(() => {
      const headers = new Metadata();
      headers.set(APPEND_PARTS_HEADER, '1');
      this.emit('metadata', headers);
    });
  }

  write(message: object): boolean {
    const bytes = Requests.encode(Requests.fromObject(message)).finish();
    setImmediate(() => this.serve(bytes));
    return true;
  }

  cancel(): void {}

  private serve(bytes: Uint8Array): void {
    const { appends } = Requests.toObject(Requests.decode(bytes), toObject) as {
      appends: WireAppend[];
    };
    const answers = appends.map((append) => {
      if (append.parts.length === 0) {
        const result = { base_offset: this.offset, count: append.messages.length };
        this.offset += append.messages.length;
        return { request_id: append.request_id, result };
      }
      const results = append.parts.map((part) => {
        const result = { baseOffset: this.offset, count: part.count, duplicate: false };
        this.offset += part.count;
        return result;
      });
      const counts = append.parts.map((part) => part.count);
      // As a current leader answers: compact when asked (every part succeeds here).
      const compact = append.compact_parts_answer && compactPartsAnswer(results, counts);
      if (compact) return { request_id: append.request_id, result: compact };
      const parts = results.map((r, index) => ({
        request_id: index,
        result: { base_offset: r.baseOffset, count: r.count },
      }));
      return { request_id: append.request_id, result: { parts } };
    });
    const out = Answers.encode(Answers.fromObject({ answers })).finish();
    setImmediate(() => this.emit('data', Answers.toObject(Answers.decode(out), toObject)));
  }
}

async function main(): Promise<void> {
  const posts = arg('posts', 50_000);
  const concurrency = arg('concurrency', 64);
  const rounds = arg('rounds', 6);
  const config = parseApiConfig({ ...process.env, DISTILLED_WRITE_TIMEOUT_MS: '30000' });
  const metrics = new MetricsService();
  const appends = new AppendStreamClient({
    AppendStream: () => new MemoryAppendStream() as never,
  });
  const leader = { id: 'r1', address: 'memory' };
  // The real gateway's append path, its pool holding the one in-memory stream.
  const gateway = Object.create(GrpcReplicaGateway.prototype) as GrpcReplicaGateway;
  Object.assign(gateway, {
    closed: false,
    pool: { get: () => ({ appends }) },
    leader: () => leader,
    viewChanged: (ms: number) => new Promise((resolve) => setTimeout(resolve, ms)),
  });
  const attempts = new AppendAttempts(gateway, config, metrics);
  const producer = new IdempotentProducer(gateway, config, metrics, attempts);
  const conditional = new (ConditionalWriter as unknown as new (...args: unknown[]) => never)(
    attempts,
    config,
    gateway,
  );
  const writes = new WritesService(producer, conditional, config);
  const message = 'x'.repeat(100);

  const round = async (keyed: boolean): Promise<number> => {
    let left = posts;
    const worker = async () => {
      while (left-- > 0) {
        await writes.appendMessage({ message }, keyed ? { idempotencyKey: randomUUID() } : {});
      }
    };
    const cpu = process.cpuUsage();
    await Promise.all(Array.from({ length: concurrency }, worker));
    const used = process.cpuUsage(cpu);
    return (used.user + used.system) / posts;
  };

  // --only plain|keyed: one kind of round alone (e.g. to profile one path with --cpu-prof).
  const only = textArg('only');
  if (only !== undefined && only !== 'plain' && only !== 'keyed') {
    console.error(`--only ${only}: plain or keyed`);
    process.exit(2);
  }
  const runPlain = only !== 'keyed';
  const runKeyed = only !== 'plain';
  if (runPlain) await round(false); // warm-up
  if (runKeyed) await round(true);
  const plain: number[] = [];
  const keyed: number[] = [];
  for (let i = 0; i < rounds; i++) {
    if (runPlain) plain.push(await round(false));
    if (runKeyed) keyed.push(await round(true));
  }
  const show = (values: number[]) => values.map((v) => v.toFixed(1)).join(' ');
  const median = (values: number[]) => [...values].sort((a, b) => a - b)[values.length >> 1];
  console.log(`CPU µs per POST, ${posts} POSTs per round, ${concurrency} concurrent`);
  if (runPlain) console.log(`plain: ${show(plain)} (median ${median(plain).toFixed(1)})`);
  if (runKeyed) console.log(`keyed: ${show(keyed)} (median ${median(keyed).toFixed(1)})`);
  process.exit(0);
}

void main();
