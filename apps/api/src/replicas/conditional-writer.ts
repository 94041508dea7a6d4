import { Inject, Injectable } from '@nestjs/common';
import type { AppendBatch } from '@distilled/proto';
import { apiConfig, type ApiConfig } from '../config';
import { AppendAttempts, type AttemptsOutcome } from './append-attempts';
import { KeyedGroups } from './keyed-groups';
import { REPLICA_GATEWAY, type ReplicaGateway } from './replica-gateway';
import { requestHash, type WriteRoute } from './request-hash';

export interface WriteConditionsInput {
  idempotencyKey?: string;
  expectedOffset?: number;
}

export interface ConditionalWriteResult {
  baseOffset: number;
  count: number;
  /** The leader already held this key: the first request's offsets, not a new append. */
  replayed: boolean;
}

/**
 * Sends a write that carries an Idempotency-Key or an Expected-Offset (apps/api/README.md,
 * "Batches and safe retries"), never coalesced into another write's batch: the leader must decide
 * it on its own (replay, 409, 422, 412) and store it as one record batch that carries its key.
 * A keyed write without Expected-Offset leaves with the other keyed writes of its turn as the
 * parts of one Append (KeyedGroups), each part decided alone; a write with Expected-Offset is an
 * Append of its own, decided in the leader's append order.
 *
 * Such a request carries no producer id: its key, not a producer sequence, makes retries safe
 * (the leader replays a key it holds, or says it is in flight while our own earlier attempt
 * commits). It therefore never waits for a slot in the producer's pipeline, so keyed writes
 * run as concurrently as plain ones. A request with only Expected-Offset is retried too; a 412
 * after an attempt that may have stored it becomes 504 (condition-verdict.ts).
 */
@Injectable()
export class ConditionalWriter {
  private readonly keyedGroups: KeyedGroups;

  constructor(
    private readonly attempts: AppendAttempts,
    @Inject(apiConfig.KEY) private readonly config: ApiConfig,
    @Inject(REPLICA_GATEWAY) gateway: ReplicaGateway,
  ) {
    this.keyedGroups = new KeyedGroups(attempts, () => gateway.leader()?.id ?? null);
  }

  async write(
    messages: Buffer[],
    route: WriteRoute,
    conditions: WriteConditionsInput,
  ): Promise<ConditionalWriteResult> {
    const request: AppendBatch = { messages, producer_id: 0, sequence: 0 };
    const deadline = Date.now() + this.config.writeTimeoutMs;
    const key = conditions.idempotencyKey;
    let outcome: AttemptsOutcome;
    if (key && conditions.expectedOffset === undefined) {
      // Its group computes its request hash with the group's others (KeyedGroups).
      request.idempotency_key = key;
      outcome = await this.keyedGroups.send(request, route, deadline);
    } else {
      if (key !== undefined) {
        request.idempotency_key = key;
        request.request_hash = requestHash(route, messages);
      }
      if (conditions.expectedOffset !== undefined) {
        request.expected_offset = conditions.expectedOffset;
      }
      outcome = await this.attempts.send(request, deadline);
    }
    if (!outcome.ok) throw outcome.problem;
    const { response } = outcome;
    return {
      baseOffset: response.base_offset,
      count: response.count,
      // A duplicate after our own attempt that may have stored it is that attempt's answer.
      replayed: response.duplicate && !outcome.retried,
    };
  }
}
