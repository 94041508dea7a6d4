import { Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { RetryBackoff, TurnBatcher } from '@distilled/common';
import { apiConfig, type ApiConfig } from '../config';
import {
  MAX_BATCH_BYTES,
  MAX_BATCH_MESSAGES,
  MIN_ATTEMPT_MS,
  RETRY_BACKOFF_INITIAL_MS,
  RETRY_BACKOFF_MAX_MS,
} from '../constants';
import { MetricsService } from '../metrics/metrics.service';
import { ApiProblem, internalError, notStored, outcomeUnknown, replicaRejected } from '../problems';
import { judgeAppendFailure } from './append-verdict';
import { randomProducerId } from './producer-id';
import {
  REPLICA_GATEWAY,
  ReplicaCallError,
  type ReplicaGateway,
  type ReplicaRef,
} from './replica-gateway';

interface PendingWrite {
  message: Buffer;
  /** When this request's answer is due (arrival + DISTILLED_WRITE_TIMEOUT_MS). */
  deadline: number;
  resolve(offset: number): void;
  reject(problem: ApiProblem): void;
}

type BatchOutcome = { ok: true; baseOffset: number } | { ok: false; problem: ApiProblem };

/**
 * The API process as one idempotent producer (apps/api README, "Writes"; Kafka's model): a random
 * producer id, a sequence per batch, and a queue of writes.
 *
 * Writes that arrive in the same turn of the event loop leave together as one batch on the next
 * turn (no fixed delay); while batches are in flight, the next one leaves as soon as the
 * pipeline has room, so the API never idles for a whole commit round trip. The pipeline is a
 * span of sequences (DISTILLED_API_MAX_IN_FLIGHT, at most 5): a new batch leaves only while its
 * sequence is within that span of the oldest unanswered batch, so a batch being retried holds
 * the line rather than falling out of the leader's deduplication window.
 *
 * Each batch carries (producer id, sequence); a retry reuses its sequence, and the leader (or a
 * new leader, which has the same log) answers a batch it already holds with its original offsets
 * instead of appending it again, in whatever order the batches of the window arrive.
 *
 * A batch is retried until the earliest deadline of its writes. It then fails with 503 only if
 * every attempt proved it was not stored, and with 504 if any attempt may have stored it.
 */
@Injectable()
export class IdempotentProducer implements OnApplicationShutdown {
  readonly producerId = randomProducerId();
  private nextSequence = 1;
  /** Writes of this turn: they join the queue together on the next turn, then pump. */
  private readonly arrivals = new TurnBatcher<PendingWrite>((writes) => this.enqueue(writes));
  /** Writes waiting for room in the pipeline, oldest first. */
  private readonly queue: PendingWrite[] = [];
  /** Sequences sent and not yet answered, oldest first. */
  private readonly unanswered: number[] = [];
  private stopped = false;
  private readonly logger = new Logger('Producer');

  constructor(
    @Inject(REPLICA_GATEWAY) private readonly gateway: ReplicaGateway,
    @Inject(apiConfig.KEY) private readonly config: ApiConfig,
    private readonly metrics: MetricsService,
  ) {}

  /** Appends one message; resolves with its offset once committed, or rejects with ApiProblem. */
  append(message: Buffer): Promise<number> {
    if (this.stopped) {
      return Promise.reject(notStored('The API is shutting down.', null));
    }
    return new Promise<number>((resolve, reject) => {
      this.arrivals.add({
        message,
        deadline: Date.now() + this.config.writeTimeoutMs,
        resolve,
        reject,
      });
    });
  }

  onApplicationShutdown(): void {
    this.stopped = true;
  }

  /** Writes join the queue in arrival order; they leave as the pipeline has room. */
  private enqueue(writes: PendingWrite[]): void {
    for (const write of writes) this.queue.push(write);
    if (this.queue.length > 0) this.pump();
  }

  /** Room in the pipeline: the next sequence is within the span of the oldest unanswered. */
  private hasRoom(): boolean {
    const oldest = this.unanswered[0];
    return oldest === undefined || this.nextSequence - oldest < this.config.maxInFlight;
  }

  private pump(): void {
    while (this.queue.length > 0 && this.hasRoom()) {
      const batch = this.takeBatch();
      if (batch.length === 0) continue;
      const sequence = this.nextSequence++;
      this.unanswered.push(sequence);
      void this.sendBatch(sequence, batch).finally(() => {
        this.unanswered.splice(this.unanswered.indexOf(sequence), 1);
        // Writes that queued while the pipeline was full go now, with whatever else arrived
        // (this turn's arrivals too: they need not wait for the turn to end).
        this.enqueue(this.arrivals.discard());
      });
    }
  }

  /**
   * The next batch, oldest first. A write with too little time left to attempt it is answered
   * 503 on its own (never sent), so it cannot cut short the batch of writes that came later.
   */
  private takeBatch(): PendingWrite[] {
    const { queue } = this;
    const now = Date.now();
    const batch: PendingWrite[] = [];
    let bytes = 0;
    while (queue.length > 0 && batch.length < MAX_BATCH_MESSAGES) {
      const next = queue[0];
      if (next.deadline - now < MIN_ATTEMPT_MS) {
        queue.shift();
        next.reject(
          notStored(
            'The write waited for earlier writes longer than the write timeout and was never sent.',
            this.gateway.leader()?.id ?? null,
          ),
        );
        continue;
      }
      if (batch.length > 0 && bytes + next.message.length > MAX_BATCH_BYTES) break;
      queue.shift();
      batch.push(next);
      bytes += next.message.length;
    }
    return batch;
  }

  private async sendBatch(sequence: number, batch: PendingWrite[]): Promise<void> {
    const started = performance.now();
    const deadline = Math.min(...batch.map((write) => write.deadline));
    let outcome: BatchOutcome;
    try {
      outcome = await this.sendWithRetries(
        batch.map((write) => write.message),
        this.producerId,
        sequence,
        deadline,
      );
    } catch (error) {
      // A bug, not a replica failure: the batch may have been sent, so never claim "not stored".
      this.logger.error(
        `batch ${sequence} failed unexpectedly`,
        error instanceof Error ? error.stack : String(error),
      );
      outcome = { ok: false, problem: internalError() };
    }
    this.metrics.batchSent(
      batch.length,
      outcome.ok ? 'committed' : outcome.problem.status,
      (performance.now() - started) / 1000,
    );
    if (!outcome.ok) {
      // One line per failed batch (not per write): what the clients were told, and why.
      this.logger.warn(
        `batch ${sequence} (${batch.length} write${batch.length === 1 ? '' : 's'}) answered ${outcome.problem.status}: ${outcome.problem.message}`,
      );
    }
    batch.forEach((write, index) =>
      outcome.ok ? write.resolve(outcome.baseOffset + index) : write.reject(outcome.problem),
    );
  }

  private async sendWithRetries(
    messages: Buffer[],
    producerId: number,
    sequence: number,
    deadline: number,
  ): Promise<BatchOutcome> {
    const request = { messages, producer_id: producerId, sequence };
    const budget = this.config.writeTimeoutMs;
    // One stuck leader (e.g. frozen, not dead) must not use the whole budget: an attempt gets
    // half of it, so a retry can still reach the leader that replaces it.
    const attemptBudget = Math.max(100, Math.floor(budget / 2));
    let maybeStored = false;
    let maybeWhy = '';
    let why = 'No leader is elected right now (an election may be in progress).';
    let redirect: ReplicaRef | null = null;
    const backoff = new RetryBackoff(RETRY_BACKOFF_INITIAL_MS, RETRY_BACKOFF_MAX_MS);
    let attempts = 0;

    for (;;) {
      const now = Date.now();
      if (deadline - now < MIN_ATTEMPT_MS) break;
      const target = redirect ?? this.gateway.leader();
      const redirected = redirect !== null;
      redirect = null;
      if (target === null) {
        why = 'No leader is elected right now (an election may be in progress).';
        this.metrics.retry('no-leader');
        await this.gateway.viewChanged(Math.min(backoff.next(), deadline - now));
        continue;
      }
      attempts += 1;
      try {
        const response = await this.gateway.append(
          target,
          request,
          Math.min(deadline, now + attemptBudget),
        );
        if (response.duplicate) this.metrics.duplicateBatch();
        return { ok: true, baseOffset: response.base_offset };
      } catch (error) {
        if (!(error instanceof ReplicaCallError)) throw error;
        const verdict = judgeAppendFailure(error);
        if (verdict.stored === 'maybe') {
          maybeStored = true;
          maybeWhy = verdict.why;
        }
        why = verdict.why;
        this.metrics.retry(error.reason ?? `grpc-${error.code}`);
        if (!verdict.retry) {
          return {
            ok: false,
            problem: replicaRejected(maybeStored ? 'maybe-stored' : 'not-stored'),
          };
        }
        // Follow a named leader at once, but not twice in a row: two replicas that point at
        // each other must not make a busy loop.
        if (verdict.redirect && verdict.redirect.id !== target.id && !redirected) {
          redirect = verdict.redirect;
          continue;
        }
      }
      const left = deadline - Date.now();
      if (left < MIN_ATTEMPT_MS) break;
      await this.gateway.viewChanged(Math.min(backoff.next(), left));
    }

    const leader = this.gateway.leader()?.id ?? null;
    const tried = `${attempts} attempt${attempts === 1 ? '' : 's'} within the write timeout (${budget} ms)`;
    return {
      ok: false,
      problem: maybeStored
        ? outcomeUnknown(`The write was not confirmed after ${tried}: ${maybeWhy}`, leader)
        : notStored(`The write could not be stored after ${tried}: ${why}`, leader),
    };
  }
}
