import { Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { TurnBatcher } from '@distilled/common';
import { apiConfig, type ApiConfig } from '../config';
import {
  BATCH_REQUESTS_IN_FLIGHT,
  MAX_BATCH_BYTES,
  MAX_BATCH_MESSAGES,
  MIN_ATTEMPT_MS,
} from '../constants';
import { MetricsService } from '../metrics/metrics.service';
import { ApiProblem, internalError, notStored } from '../problems';
import { AppendAttempts } from './append-attempts';
import { randomProducerId } from './producer-id';
import { REPLICA_GATEWAY, type ReplicaGateway } from './replica-gateway';

interface PendingWrite {
  /** One client request's messages: they always leave in the same batch, in this order. */
  messages: Buffer[];
  bytes: number;
  /** When this request's answer is due (arrival + DISTILLED_WRITE_TIMEOUT_MS). */
  deadline: number;
  /** With the offset of the write's first message. */
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
 * the line rather than falling out of the leader's deduplication window. Requests of several
 * messages (POST /Data/Batch) get a wider span (BATCH_REQUESTS_IN_FLIGHT) while two or more of
 * them wait at the head of the queue: they make batches of hundreds of messages on their own,
 * so a second batch in flight costs little per message and saves them a whole commit round trip
 * of waiting.
 *
 * Each batch carries (producer id, sequence); a retry reuses its sequence, and the leader (or a
 * new leader, which has the same log) answers a batch it already holds with its original offsets
 * instead of appending it again, in whatever order the batches of the window arrive.
 *
 * A write of several messages (POST /Data/Batch) is never split: it joins a batch whole, or
 * leaves alone when it is larger than a batch, so its messages share one record batch on the
 * leader and are committed, or lost, together.
 *
 * A batch is retried (AppendAttempts) until the earliest deadline of its writes. It then fails
 * with 503 only if every attempt proved it was not stored, and with 504 if any attempt may have
 * stored it.
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
    private readonly attempts: AppendAttempts,
  ) {}

  /** Appends one message; resolves with its offset once committed, or rejects with ApiProblem. */
  append(message: Buffer): Promise<number> {
    return this.appendAll([message]);
  }

  /**
   * Appends messages atomically at contiguous offsets; resolves with the first one's offset once
   * all are committed, or rejects with ApiProblem (then none of them, or all, were stored).
   */
  appendAll(messages: Buffer[]): Promise<number> {
    if (this.stopped) {
      return Promise.reject(notStored('The API is shutting down.', null));
    }
    let bytes = 0;
    for (const message of messages) bytes += message.length;
    return new Promise<number>((resolve, reject) => {
      this.arrivals.add({
        messages,
        bytes,
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
    if (oldest === undefined) return true;
    const span = this.nextSequence - oldest;
    if (span < this.config.maxInFlight) return true;
    return span < BATCH_REQUESTS_IN_FLIGHT && this.batchRequestsWaiting();
  }

  /** Two or more multi-message writes at the head of the queue: a batch of their own. */
  private batchRequestsWaiting(): boolean {
    const { queue } = this;
    return queue.length > 1 && queue[0].messages.length > 1 && queue[1].messages.length > 1;
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
    let count = 0;
    while (queue.length > 0 && count < MAX_BATCH_MESSAGES) {
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
      const full =
        bytes + next.bytes > MAX_BATCH_BYTES || count + next.messages.length > MAX_BATCH_MESSAGES;
      if (batch.length > 0 && full) break;
      queue.shift();
      batch.push(next);
      bytes += next.bytes;
      count += next.messages.length;
    }
    return batch;
  }

  private async sendBatch(sequence: number, batch: PendingWrite[]): Promise<void> {
    const started = performance.now();
    const deadline = Math.min(...batch.map((write) => write.deadline));
    let outcome: BatchOutcome;
    const messages = batch.length === 1 ? batch[0].messages : batch.flatMap((w) => w.messages);
    try {
      const sent = await this.attempts.send(
        { messages, producer_id: this.producerId, sequence },
        deadline,
      );
      if (sent.ok && sent.response.duplicate) this.metrics.duplicateBatch();
      outcome = sent.ok ? { ok: true, baseOffset: sent.response.base_offset } : sent;
    } catch (error) {
      // A bug, not a replica failure: the batch may have been sent, so never claim "not stored".
      this.logger.error(
        `batch ${sequence} failed unexpectedly`,
        error instanceof Error ? error.stack : String(error),
      );
      outcome = { ok: false, problem: internalError() };
    }
    this.metrics.batchSent(
      messages.length,
      outcome.ok ? 'committed' : outcome.problem.status,
      (performance.now() - started) / 1000,
    );
    if (!outcome.ok) {
      // One line per failed batch (not per write): what the clients were told, and why.
      this.logger.warn(
        `batch ${sequence} (${batch.length} write${batch.length === 1 ? '' : 's'}) answered ${outcome.problem.status}: ${outcome.problem.message}`,
      );
    }
    let offset = outcome.ok ? outcome.baseOffset : 0;
    for (const write of batch) {
      if (outcome.ok) write.resolve(offset);
      else write.reject(outcome.problem);
      offset += write.messages.length;
    }
  }
}
