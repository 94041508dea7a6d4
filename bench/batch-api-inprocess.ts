/**
 * The API's whole path for POST /Data/Batch in one process (bench/RESULTS.md, "The bulk paths",
 * session 12): the real Nest app (createTestApp: body parser, validation pipe, controller,
 * producer, AppendAttempts) driven by `--concurrency` closed-loop Fastify `inject` callers, each
 * POSTing `--messages` × `--size` B; the gateway serializes each Append with the real
 * AppendStream protobuf serializer, as the stream client would hand it to grpc-js, and answers
 * after 1 ms. Prints CPU µs per message of each round (the inject machinery included, the same
 * for every build). A/B: run it in a worktree of the base and in the branch, alternately.
 *
 *   ts-node -r tsconfig-paths/register --transpile-only bench/batch-api-inprocess.ts \
 *     [--concurrency 8] [--messages 100] [--size 100] [--seconds 2.5] [--rounds 4]
 */
import { setTimeout as sleep } from 'node:timers/promises';
import * as protoLoader from '@grpc/proto-loader';
import type { AppendRequest, AppendResponse } from '@distilled/proto';
import { createTestApp } from '../apps/api/src/testing/create-test-app';
import { useLeanAsyncResourceBind } from '../apps/api/src/http/lean-async-resource-bind';
import { FakeReplicaGateway } from '../apps/api/src/testing/fake-replica-gateway';
import { PROTO_LOADER_OPTIONS, resolveProtoPath } from '../libs/proto/src/proto-path';
import { Args } from './lib/args';

type Serialize = (value: unknown) => Buffer;

/** Serializes every Append as AppendStream would, then commits it after 1 ms, keeping nothing. */
class SerializingGateway extends FakeReplicaGateway {
  private end = 0;
  constructor(private readonly serialize: Serialize) {
    super();
  }
  override async append(_replica: unknown, request: AppendRequest): Promise<AppendResponse> {
    this.serialize({ appends: [{ ...request, request_id: 1 }] });
    await sleep(1);
    const base = this.end;
    this.end += request.messages.length;
    return { base_offset: base, count: request.messages.length, duplicate: false };
  }
}

export async function run(argv: string[]): Promise<void> {
  const args = new Args(argv);
  const writers = Math.round(args.number('concurrency', 8));
  const count = Math.round(args.number('messages', 100));
  const size = Math.round(args.number('size', 100));
  const seconds = args.number('seconds', 2.5);
  const rounds = Math.round(args.number('rounds', 4));
  const definition = protoLoader.loadSync(resolveProtoPath(), { ...PROTO_LOADER_OPTIONS });
  const replica = definition['distilled.v1.Replica'] as unknown as {
    AppendStream: { requestSerialize: Serialize };
  };
  useLeanAsyncResourceBind(); // as apps/api/src/main.ts does
  const { app } = await createTestApp(
    { writeTimeoutMs: 10_000 },
    new SerializingGateway(replica.AppendStream.requestSerialize),
  );
  const fastify = app.getHttpAdapter().getInstance();
  const messages = Array.from({ length: count }, (_, i) => `m${i}-`.padEnd(size, 'x'));
  const payload = JSON.stringify({ messages });
  const headers = { 'content-type': 'application/json' };
  let requests = 0;
  const writer = async (until: number) => {
    while (performance.now() < until) {
      const res = await fastify.inject({ method: 'POST', url: '/Data/Batch', payload, headers });
      if (res.statusCode !== 201) throw new Error(`${res.statusCode} ${res.body}`);
      requests++;
    }
  };
  console.log(`${writers} writers × ${count} × ${size} B, ${seconds} s rounds (round 0: warm-up)`);
  console.log('| round | requests | CPU µs per message |');
  console.log('| ---: | ---: | ---: |');
  for (let round = 0; round <= rounds; round++) {
    requests = 0;
    const start = process.cpuUsage();
    const until = performance.now() + seconds * 1000;
    await Promise.all(Array.from({ length: writers }, () => writer(until)));
    const used = process.cpuUsage(start);
    const perMessage = (used.user + used.system) / (requests * count);
    console.log(`| ${round} | ${requests} | ${perMessage.toFixed(2)} |`);
  }
  await app.close();
}

if (require.main === module) void run(process.argv.slice(2));
