/**
 * What the leader's per-part path costs per keyed POST, in one process, without gRPC's transport
 * or a log (bench/RESULTS.md, Idempotency-Key, "Session 11 (branch keys-parts)"): an
 * AppendStreamRequest of 64 appends as the API sends them, decoded with the real protobuf, handed
 * to the real ReplicaService → LeaderService → (keyed) KeyedAppends and its key table, answered
 * by a term whose write resolves at once, the answers encoded with the real protobuf. `plain` is
 * one producer batch of 64 messages (what 64 plain POSTs become); `keyed` is one append of 64
 * parts with fresh keys and 16-byte request hashes, asking for the compact answer, as the API
 * sends what 64 keyed POSTs become. Rounds of the two alternate; prints CPU µs per POST and the
 * split (decode · server path · encode) of each round,
 * and young-generation collections per 1000 POSTs (what the round allocates, hardly load-bound).
 * Warm-up rounds first fill the key table past its bound (`--max-keys`, 100,000: about what the
 * bench's leader holds), so the measured rounds meet a full table, each new key evicting the
 * oldest, instead of a table still growing.
 *
 *   ts-node -r tsconfig-paths/register --transpile-only bench/keyed-parts-inprocess.ts \
 *     [--requests 1000] [--rounds 6] [--max-keys 100000]
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { PerformanceObserver, constants as perfConstants } from 'node:perf_hooks';
import * as v8 from 'node:v8';
import * as vm from 'node:vm';
import type { AppendBatch, AppendResponse } from '@distilled/proto';
import type { AppendOptions, AppendResult, ProducerBatchId } from '@distilled/log-store';
import { Answers, arg, Requests, toObject } from './lib/in-process-wire';
import { ReplicaService } from '../apps/server/src/log/replica.service';
import { LeaderService } from '../apps/server/src/replication/leader.service';
import {
  KeyedAppends,
  type KeyedPartRequest,
  type SettlePart,
  type WriteBatch,
} from '../apps/server/src/replication/keyed-appends';

const PER_REQUEST = 64;

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

/** A leader term that writes nothing: every batch is "in the log and committed" at once. */
class InstantTerm {
  readonly ended = false;
  private offset = 0;
  readonly keyed = new KeyedAppends({
    log: { logEndOffset: 0, logStartOffset: 0 } as never,
    maxKeys: arg('max-keys', 100_000),
    windowMs: 24 * 60 * 60 * 1000,
    highWatermark: () => this.offset,
    now: () => Date.now(),
  });
  private readonly write: WriteBatch = (messages, _options, onWritten) => {
    const result = this.take(messages.length);
    onWritten(result);
    return Promise.resolve(result);
  };

  private take(count: number): AppendResult {
    const result = { baseOffset: this.offset, count, duplicate: false };
    this.offset += count;
    return result;
  }

  append(
    messages: Buffer[],
    _producer?: ProducerBatchId,
    options: AppendOptions = {},
  ): Promise<AppendResult> {
    if (options.idempotency) {
      return this.keyed.append(messages, options.idempotency, options.expectedOffset, this.write);
    }
    return Promise.resolve(this.take(messages.length));
  }

  appendParts(parts: readonly KeyedPartRequest[], settle: SettlePart): void {
    this.keyed.appendParts(parts, this.write, settle);
  }
}

function request(keyed: boolean, id: number, sequence: number): Uint8Array {
  const messages = Array.from({ length: PER_REQUEST }, () => Buffer.alloc(100, 'x'));
  const append = keyed
    ? {
        request_id: id,
        messages,
        parts: messages.map(() => ({
          idempotency_key: randomUUID(),
          request_hash: randomBytes(16),
          count: 1,
        })),
        compact_parts_answer: true,
      }
    : { request_id: id, messages, producer_id: 7, sequence };
  return Requests.encode(Requests.fromObject({ appends: [append] })).finish();
}

async function main(): Promise<void> {
  const requests = arg('requests', 1000);
  const warmups = Math.ceil((1.5 * arg('max-keys', 100_000)) / (requests * PER_REQUEST));
  const rounds = arg('rounds', 6);
  const term = new InstantTerm();
  await term.keyed.start();
  const leader = Object.create(LeaderService.prototype) as LeaderService;
  Object.assign(leader, { term });
  const replica = new ReplicaService(
    { logEndOffset: 0, logStartOffset: 0 } as never,
    { nodeId: 'r1' } as never,
    { shuttingDown: false } as never,
    leader,
    { reporting: (log: unknown) => log } as never,
    {} as never,
  );
  let sequence = 0;

  // Every round's requests are made first, so making them (random keys, buffers) is not timed.
  const made = (keyed: boolean) =>
    Array.from({ length: requests }, (_, i) => request(keyed, i, sequence++));
  const wires = Array.from({ length: rounds + warmups }, () => ({
    plain: made(false),
    keyed: made(true),
  }));
  gc();

  // Young-generation collections: a count that follows what a round allocates, whatever the load.
  let scavenges = 0;
  const gcs = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      const kind = (entry as { detail?: { kind?: number } }).detail?.kind;
      if (kind === perfConstants.NODE_PERFORMANCE_GC_MINOR) scavenges += 1;
    }
  });
  gcs.observe({ entryTypes: ['gc'] });

  const round = async (keyed: boolean) => {
    const scavengesBefore = scavenges;
    const wire = keyed ? wires[0].keyed : wires[0].plain;
    if (keyed) wires.shift();
    let decodeUs = 0;
    let serveUs = 0;
    let encodeUs = 0;
    const cpu = () => {
      const used = process.cpuUsage();
      return used.user + used.system;
    };
    for (const bytes of wire) {
      let t = cpu();
      const { appends } = Requests.toObject(Requests.decode(bytes), toObject) as {
        appends: Array<AppendBatch & { request_id: number }>;
      };
      let now = cpu();
      decodeUs += now - t;
      t = now;
      const answers: Array<{ request_id: number; result: AppendResponse }> = [];
      await Promise.all(
        appends.map((append) =>
          replica
            .append(append)
            .then((result) => answers.push({ request_id: append.request_id, result })),
        ),
      );
      // The keyed appends of this turn were flushed after its microtasks: wait for them too.
      await new Promise((resolve) => setImmediate(resolve));
      now = cpu();
      serveUs += now - t;
      t = now;
      Answers.encode(Answers.fromObject({ answers })).finish();
      encodeUs += cpu() - t;
      const { result } = answers[0];
      const full = result.parts?.length ? result.parts : undefined;
      const notNew = full
        ? full.some((p) => !p.result || p.result.duplicate)
        : !result.part_base_offsets?.length || (result.duplicate_parts?.length ?? 0) > 0;
      if (keyed && notNew) {
        throw new Error('a part was not appended as new');
      }
    }
    const posts = requests * PER_REQUEST;
    // GC entries arrive a turn after the collection.
    await new Promise((resolve) => setImmediate(resolve));
    return {
      decode: decodeUs / posts,
      serve: serveUs / posts,
      encode: encodeUs / posts,
      scavenges: (1000 * (scavenges - scavengesBefore)) / posts,
    };
  };

  for (let i = 0; i < warmups; i++) {
    await round(false); // warm-up of both paths, and the table filled past its bound
    await round(true);
  }
  const show = (r: { decode: number; serve: number; encode: number; scavenges: number }) =>
    `${(r.decode + r.serve + r.encode).toFixed(2)} (${r.decode.toFixed(2)} · ${r.serve.toFixed(2)} · ${r.encode.toFixed(2)}) ${r.scavenges.toFixed(2)} sc`;
  console.log(
    `CPU µs per POST (decode · server path · encode), young-generation collections per 1000 POSTs (sc); ${requests} requests of ${PER_REQUEST} per round`,
  );
  for (let i = 0; i < rounds; i++) {
    const plain = await round(false);
    const keyed = await round(true);
    console.log(`round ${i + 1}: plain ${show(plain)}  keyed ${show(keyed)}`);
  }
}

void main().then(() => process.exit(0));
