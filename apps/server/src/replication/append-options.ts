/**
 * The conditions an AppendRequest may carry beyond its messages (apps/api/README.md, "Batches and
 * safe retries"): an Idempotency-Key with its request hash, and an expected first offset. Checked
 * here so a bad one is refused as INVALID_ARGUMENT before anything reaches the log.
 */
import { idempotencyTagProblem, type AppendOptions } from '@distilled/log-store';
import type { AppendBatch } from '@distilled/proto';
import { ReplicaError } from '../errors/replica-error';

export function appendOptionsOf(request: AppendBatch): AppendOptions {
  const options: AppendOptions = {};
  const expected = request.expected_offset;
  if (expected !== undefined && expected !== null) {
    if (!Number.isSafeInteger(expected) || expected < 0) {
      throw ReplicaError.invalidArgument(`expected_offset ${expected} is not an offset`);
    }
    options.expectedOffset = expected;
  }
  if (request.idempotency_key) {
    const tag = { key: request.idempotency_key, hash: request.request_hash ?? Buffer.alloc(0) };
    const problem = idempotencyTagProblem(tag);
    if (problem) throw ReplicaError.invalidArgument(`idempotency_key: ${problem}`);
    options.idempotency = tag;
  }
  return options;
}
