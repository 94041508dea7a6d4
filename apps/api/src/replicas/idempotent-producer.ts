import { Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { apiConfig, type ApiConfig } from '../config';
import {
  MAX_BATCH_BYTES,
  MAX_BATCH_MESSAGES,
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
 * One idempotent producer: its own id, sequence space and queue, and at most one batch in
 * flight. The API runs several (DISTILLED_API_PRODUCERS) so Appends overlap; each one alone
 * keeps Kafka's rule that makes retries safe.
 */
interface Lane {
  readonly producerId: number;
  nextSequence: number;
  readonly queue: PendingWrite[];
  /** A drain is scheduled or running (the lane is not idle). */
  draining: boolean;
  /** The drain is scheduled but has not taken its first batch: a write joins that batch. */
  collecting: boolean;
}

/**
 * The API process as idempotent producers (DESIGN.md B.4, Kafka's model): a few independent
 * ones (DISTILLED_API_PRODUCERS, default 4), each with its own producer id, sequence and queue.
 *
 * A write joins the batch about to leave if there is one, else goes to an idle producer (sent on
 * the next turn of the event loop), else waits in the shortest queue and goes in that
 * producer's next Append when its current one returns. So there is no fixed delay, one round
 * trip per batch rather than per message, up to N Appends overlapping, and per producer at most
 * one batch in flight, which is what makes retries safe: each batch carries (producer id, sequence), a retry of a batch reuses
 * its sequence, and the leader (or a new leader, which has the same log) answers a batch it
 * already holds with its original offsets instead of appending it again.
 *
 * A batch is retried until the earliest deadline of its writes. It then fails with 503 only if
 * every attempt proved it was not stored, and with 504 if any attempt may have stored it.
 */
@Injectable()
export class IdempotentProducer implements OnApplicationShutdown {
  private readonly lanes: Lane[];
  private stopped = false;
  private readonly logger = new Logger('Producer');

  constructor(
    @Inject(REPLICA_GATEWAY) private readonly gateway: ReplicaGateway,
    @Inject(apiConfig.KEY) private readonly config: ApiConfig,
    private readonly metrics: MetricsService,
  ) {
    const ids = new Set<number>();
    while (ids.size < Math.max(1, config.producers)) ids.add(randomProducerId());
    this.lanes = [...ids].map((producerId) => ({
      producerId,
      nextSequence: 1,
      queue: [],
      draining: false,
      collecting: false,
    }));
  }

  /** The first producer's id (the one a lone writer uses). */
  get producerId(): number {
    return this.lanes[0].producerId;
  }

  get producerIds(): number[] {
    return this.lanes.map((lane) => lane.producerId);
  }

  /** Appends one message; resolves with its offset once committed, or rejects with ApiProblem. */
  append(message: Buffer): Promise<number> {
    if (this.stopped) {
      return Promise.reject(notStored('The API is shutting down.', null));
    }
    return new Promise<number>((resolve, reject) => {
      const lane = this.pickLane();
      lane.queue.push({
        message,
        deadline: Date.now() + this.config.writeTimeoutMs,
        resolve,
        reject,
      });
      if (!lane.draining) {
        lane.draining = true;
        lane.collecting = true;
        // Writes that arrive in the same turn of the event loop join the first batch.
        setImmediate(() => void this.drain(lane));
      }
    });
  }

  /**
   * A batch about to leave (same turn of the event loop) if there is one, else an idle
   * producer (its batch leaves at once), else the busy one with the shortest queue.
   */
  private pickLane(): Lane {
    let best: Lane | undefined;
    for (const lane of this.lanes) {
      if (lane.collecting) return lane;
      if (!lane.draining) best ??= lane;
    }
    if (best) return best;
    best = this.lanes[0];
    for (const lane of this.lanes) if (lane.queue.length < best.queue.length) best = lane;
    return best;
  }

  onApplicationShutdown(): void {
    this.stopped = true;
  }

  private async drain(lane: Lane): Promise<void> {
    try {
      while (lane.queue.length > 0) {
        const batch = this.takeBatch(lane);
        lane.collecting = false;
        if (batch.length > 0) await this.sendBatch(lane, batch);
      }
    } finally {
      lane.draining = false;
      lane.collecting = false;
    }
  }

  /** The lane's next batch, oldest first; writes that timed out while queued are answered 503. */
  private takeBatch(lane: Lane): PendingWrite[] {
    const { queue } = lane;
    const now = Date.now();
    const batch: PendingWrite[] = [];
    let bytes = 0;
    while (queue.length > 0 && batch.length < MAX_BATCH_MESSAGES) {
      const next = queue[0];
      if (next.deadline <= now) {
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

  private async sendBatch(lane: Lane, batch: PendingWrite[]): Promise<void> {
    const sequence = lane.nextSequence++;
    const deadline = Math.min(...batch.map((write) => write.deadline));
    let outcome: BatchOutcome;
    try {
      outcome = await this.sendWithRetries(
        batch.map((write) => write.message),
        lane.producerId,
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
    this.metrics.batchSent(batch.length, outcome.ok ? 'committed' : outcome.problem.status);
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
    let backoff = RETRY_BACKOFF_INITIAL_MS;
    let attempts = 0;

    for (;;) {
      const now = Date.now();
      if (now >= deadline) break;
      const target = redirect ?? this.gateway.leader();
      const redirected = redirect !== null;
      redirect = null;
      if (target === null) {
        why = 'No leader is elected right now (an election may be in progress).';
        this.metrics.retry('no-leader');
        await this.gateway.viewChanged(Math.min(backoff, deadline - now));
        backoff = Math.min(backoff * 2, RETRY_BACKOFF_MAX_MS);
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
      if (left <= 0) break;
      await this.gateway.viewChanged(Math.min(backoff, left));
      backoff = Math.min(backoff * 2, RETRY_BACKOFF_MAX_MS);
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
