/**
 * The HTTP API with its replicas faked (`npm run bench -- api`): the real Nest wiring of
 * apps/api (validation, problem filter, metrics, the producer), with a gateway that commits every
 * Append after 1 ms from memory. Run as its own process; prints {"url": ...} once it listens.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { AppendRequest, AppendResponse } from '@distilled/proto';
import { createTestApp } from '../../apps/api/src/testing/create-test-app';
import { useLeanAsyncResourceBind } from '../../apps/api/src/http/lean-async-resource-bind';
import { FakeReplicaGateway } from '../../apps/api/src/testing/fake-replica-gateway';
import { parseApiKeys } from '../../apps/api/src/auth/api-keys-file';

import { benchKeysFileText } from './bench-keys';

/** With BENCH_API_KEYS=on the API has 10 keys and the load generator sends the last one. */
function benchKeys() {
  return parseApiKeys(benchKeysFileText(), 'bench');
}

/** Commits every batch after 1 ms, keeping nothing (the fake's log would grow without end). */
class InstantGateway extends FakeReplicaGateway {
  private end = 0;
  override async append(_replica: unknown, request: AppendRequest): Promise<AppendResponse> {
    await sleep(1);
    const base = this.end;
    this.end += request.messages.length;
    return { base_offset: base, count: request.messages.length, duplicate: false };
  }
}

async function main(): Promise<void> {
  useLeanAsyncResourceBind(); // as apps/api/src/main.ts does
  const { app } = await createTestApp(
    { writeTimeoutMs: 10_000, apiKeys: process.env.BENCH_API_KEYS === 'on' ? benchKeys() : null },
    new InstantGateway(),
  );
  await app.listen(0, '127.0.0.1');
  const url = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  process.stdout.write(`${JSON.stringify({ url })}\n`);
  process.on('SIGTERM', () => process.exit(0));
}

if (require.main === module) void main();
