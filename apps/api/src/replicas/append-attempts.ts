import { Inject, Injectable } from '@nestjs/common';
import { RetryBackoff } from '@distilled/common';
import type { AppendBatch, AppendResponse } from '@distilled/proto';
import { apiConfig, type ApiConfig } from '../config';
import {
  DISK_FULL_PATIENCE_MS,
  MIN_ATTEMPT_MS,
  RETRY_BACKOFF_INITIAL_MS,
  RETRY_BACKOFF_MAX_MS,
} from '../constants';
import { MetricsService } from '../metrics/metrics.service';
import { ApiProblem, diskFull, notStored, outcomeUnknown, replicaRejected } from '../problems';
import { ErrorReason } from '@distilled/proto';
import { judgeAppendFailure } from './append-verdict';
import { judgeConditionFailure } from './condition-verdict';
import {
  REPLICA_GATEWAY,
  ReplicaCallError,
  type PartAnswer,
  type ReplicaGateway,
  type ReplicaRef,
} from './replica-gateway';

export type AttemptsOutcome =
  | {
      ok: true;
      response: AppendResponse;
      /** An earlier attempt of this request may have stored it (so a replay is our own). */
      retried: boolean;
    }
  | { ok: false; problem: ApiProblem };

const NO_LEADER = 'No leader is elected right now (an election may be in progress).';

/** What the attempts so far tell about one request (each keyed request of a group has its own). */
class AttemptRecord {
  /** An attempt may have stored it: it must never be answered 503, and a replay is our own. */
  maybeStored = false;
  maybeWhy = '';
  why = NO_LEADER;
  /** The refusals since this time all said "disk full" (null: the last one did not). */
  diskFullSince: number | null = null;
  diskFullAt = '';
  outcome?: AttemptsOutcome;

  constructor(readonly request: AppendBatch) {}
}

/** After a refusal: answered (outcome set), tried again, or tried again at the named leader. */
type Next = 'answered' | 'retry' | ReplicaRef;

/**
 * One Append request, tried against the leader until it is answered or its deadline passes
 * (apps/api/README.md, "Writes"): follows NOT_LEADER redirects, waits out elections, and retries
 * the same request, which is safe because the leader recognises it (its producer sequence, or its
 * Idempotency-Key). It then fails with 503 only if every attempt proved the request was not stored,
 * and with 504 if any attempt may have stored it; with 507 when nothing was stored and the leader
 * kept refusing for a full disk (for DISK_FULL_PATIENCE_MS, or until the deadline). Used by the
 * producer for its batches and by the conditional writer for Expected-Offset requests.
 *
 * sendParts does the same for a group of keyed requests sent as the parts of one Append: one
 * chain of attempts, one deadline and one call per attempt for the group, but a verdict per
 * part. A part the leader answers is done (a 409 or 422 answers that request alone); the parts
 * to retry go again together, still with their own keys, each remembering whether an earlier
 * attempt may have stored it.
 */
@Injectable()
export class AppendAttempts {
  constructor(
    @Inject(REPLICA_GATEWAY) private readonly gateway: ReplicaGateway,
    @Inject(apiConfig.KEY) private readonly config: ApiConfig,
    private readonly metrics: MetricsService,
  ) {}

  async send(request: AppendBatch, deadline: number): Promise<AttemptsOutcome> {
    const [outcome] = await this.run([request], deadline, false);
    return outcome;
  }

  /**
   * Keyed requests (an idempotency_key each, no producer, no expected offset) as the parts of
   * one Append per attempt; outcomes[i] is requests[i]'s, as send() would have answered it.
   */
  sendParts(requests: AppendBatch[], deadline: number): Promise<AttemptsOutcome[]> {
    return this.run(requests, deadline, true);
  }

  private async run(
    requests: AppendBatch[],
    deadline: number,
    asParts: boolean,
  ): Promise<AttemptsOutcome[]> {
    const budget = this.config.writeTimeoutMs;
    // One stuck leader (e.g. frozen, not dead) must not use the whole budget: an attempt gets
    // half of it, so a retry can still reach the leader that replaces it.
    const attemptBudget = Math.max(100, Math.floor(budget / 2));
    const records = requests.map((request) => new AttemptRecord(request));
    /** Not answered yet. */
    let open = records;
    let redirect: ReplicaRef | null = null;
    /** Made at the first retry: most requests succeed at once and never wait. */
    let backoff: RetryBackoff | undefined;
    /** The leader the waits were growing for: a new one starts them from the first step again. */
    let waitedFor: string | null | undefined;
    const pause = (left: number): Promise<void> => {
      const leader = this.gateway.leader()?.id ?? null;
      backoff ??= new RetryBackoff(RETRY_BACKOFF_INITIAL_MS, RETRY_BACKOFF_MAX_MS);
      if (leader !== waitedFor) {
        waitedFor = leader;
        backoff.reset();
      }
      return this.gateway.viewChanged(Math.min(backoff.next(), left));
    };
    let attempts = 0;

    for (;;) {
      const now = Date.now();
      if (deadline - now < MIN_ATTEMPT_MS) break;
      const target = redirect ?? this.gateway.leader();
      const redirected = redirect !== null;
      redirect = null;
      if (target === null) {
        for (const record of open) {
          record.why = NO_LEADER;
          this.metrics.retry('no-leader');
        }
        await pause(deadline - now);
        continue;
      }
      attempts += 1;
      const attemptDeadline = Math.min(deadline, now + attemptBudget);
      let answers: PartAnswer[];
      try {
        answers = asParts
          ? await this.gateway.appendParts(
              target,
              open.map((record) => record.request),
              attemptDeadline,
            )
          : [await this.gateway.append(target, open[0].request, attemptDeadline)];
      } catch (error) {
        if (!(error instanceof ReplicaCallError)) throw error;
        answers = open.map(() => error);
      }
      let follow: ReplicaRef | null = null;
      const again: AttemptRecord[] = [];
      for (let i = 0; i < open.length; i++) {
        const record = open[i];
        const answer = answers[i];
        if (!(answer instanceof ReplicaCallError)) {
          record.outcome = { ok: true, response: answer, retried: record.maybeStored };
          continue;
        }
        const next = this.refused(record, answer, target);
        if (next === 'answered') continue;
        again.push(record);
        if (next !== 'retry') follow ??= next;
      }
      open = again;
      if (open.length === 0) break;
      // Follow a named leader at once, but not twice in a row: two replicas that point at
      // each other must not make a busy loop.
      if (follow !== null && follow.id !== target.id && !redirected) {
        redirect = follow;
        continue;
      }
      const left = deadline - Date.now();
      if (left < MIN_ATTEMPT_MS) break;
      // A leader just elected may refuse until its term has begun (a few ms): the waits start
      // small again for it, rather than going on from where the old leader's left them.
      await pause(left);
    }

    for (const record of open) record.outcome = this.gaveUp(record, attempts, budget);
    return records.map((record) => record.outcome as AttemptsOutcome);
  }

  /** One attempt's refusal of `record`: its answer now, or how to try again. */
  private refused(record: AttemptRecord, error: ReplicaCallError, target: ReplicaRef): Next {
    const leader = this.gateway.leader()?.id ?? null;
    const condition = judgeConditionFailure(error, record.request, record.maybeStored, leader);
    if (condition instanceof ApiProblem) {
      record.outcome = { ok: false, problem: condition };
      return 'answered';
    }
    const reason = error.reason ?? `grpc-${error.code}`;
    if (condition === 'retry') {
      this.metrics.retry(reason);
      return 'retry';
    }
    const verdict = judgeAppendFailure(error);
    if (error.reason === ErrorReason.DiskFull) {
      record.diskFullSince ??= Date.now();
      record.diskFullAt = target.id;
      // A handover takes well under this; past it no replica with room is coming.
      if (!record.maybeStored && Date.now() - record.diskFullSince >= DISK_FULL_PATIENCE_MS) {
        record.outcome = { ok: false, problem: diskFull(target.id, leader) };
        return 'answered';
      }
    } else {
      record.diskFullSince = null;
    }
    if (verdict.stored === 'maybe') {
      record.maybeStored = true;
      record.maybeWhy = verdict.why;
    }
    record.why = verdict.why;
    this.metrics.retry(reason);
    if (!verdict.retry) {
      const stored = record.maybeStored ? 'maybe-stored' : 'not-stored';
      record.outcome = { ok: false, problem: replicaRejected(stored) };
      return 'answered';
    }
    return verdict.redirect ?? 'retry';
  }

  /** The answer of a request still unanswered at its deadline. */
  private gaveUp(record: AttemptRecord, attempts: number, budget: number): AttemptsOutcome {
    const leader = this.gateway.leader()?.id ?? null;
    if (!record.maybeStored && record.diskFullSince !== null) {
      return { ok: false, problem: diskFull(record.diskFullAt, leader) };
    }
    const tried = `${attempts} attempt${attempts === 1 ? '' : 's'} within the write timeout (${budget} ms)`;
    return {
      ok: false,
      problem: record.maybeStored
        ? outcomeUnknown(`The write was not confirmed after ${tried}: ${record.maybeWhy}`, leader)
        : notStored(`The write could not be stored after ${tried}: ${record.why}`, leader),
    };
  }
}
