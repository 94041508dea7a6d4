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

/**
 * One Append request, tried against the leader until it is answered or its deadline passes
 * (apps/api/README.md, "Writes"): follows NOT_LEADER redirects, waits out elections, and retries
 * the same request, which is safe because the leader recognises it (its producer sequence, or its
 * Idempotency-Key). It then fails with 503 only if every attempt proved the request was not stored,
 * and with 504 if any attempt may have stored it; with 507 when nothing was stored and the leader
 * kept refusing for a full disk (for DISK_FULL_PATIENCE_MS, or until the deadline). Used by the producer for its batches and by the
 * conditional writer for keyed and Expected-Offset requests.
 */
@Injectable()
export class AppendAttempts {
  constructor(
    @Inject(REPLICA_GATEWAY) private readonly gateway: ReplicaGateway,
    @Inject(apiConfig.KEY) private readonly config: ApiConfig,
    private readonly metrics: MetricsService,
  ) {}

  async send(request: AppendBatch, deadline: number): Promise<AttemptsOutcome> {
    const budget = this.config.writeTimeoutMs;
    // One stuck leader (e.g. frozen, not dead) must not use the whole budget: an attempt gets
    // half of it, so a retry can still reach the leader that replaces it.
    const attemptBudget = Math.max(100, Math.floor(budget / 2));
    let maybeStored = false;
    let maybeWhy = '';
    let why = 'No leader is elected right now (an election may be in progress).';
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
    /** The refusals since this time all said "disk full" (null: the last one did not). */
    let diskFullSince: number | null = null;
    let diskFullAt = '';

    for (;;) {
      const now = Date.now();
      if (deadline - now < MIN_ATTEMPT_MS) break;
      const target = redirect ?? this.gateway.leader();
      const redirected = redirect !== null;
      redirect = null;
      if (target === null) {
        why = 'No leader is elected right now (an election may be in progress).';
        this.metrics.retry('no-leader');
        await pause(deadline - now);
        continue;
      }
      attempts += 1;
      try {
        const response = await this.gateway.append(
          target,
          request,
          Math.min(deadline, now + attemptBudget),
        );
        return { ok: true, response, retried: maybeStored };
      } catch (error) {
        if (!(error instanceof ReplicaCallError)) throw error;
        const leader = this.gateway.leader()?.id ?? null;
        const condition = judgeConditionFailure(error, request, maybeStored, leader);
        if (condition instanceof ApiProblem) return { ok: false, problem: condition };
        if (condition === 'retry') {
          this.metrics.retry(error.reason ?? `grpc-${error.code}`);
        } else {
          const verdict = judgeAppendFailure(error);
          if (error.reason === ErrorReason.DiskFull) {
            diskFullSince ??= Date.now();
            diskFullAt = target.id;
            // A handover takes well under this; past it no replica with room is coming.
            if (!maybeStored && Date.now() - diskFullSince >= DISK_FULL_PATIENCE_MS) {
              return { ok: false, problem: diskFull(target.id, this.gateway.leader()?.id ?? null) };
            }
          } else {
            diskFullSince = null;
          }
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
      }
      const left = deadline - Date.now();
      if (left < MIN_ATTEMPT_MS) break;
      // A leader just elected may refuse until its term has begun (a few ms): the waits start
      // small again for it, rather than going on from where the old leader's left them.
      await pause(left);
    }

    const leader = this.gateway.leader()?.id ?? null;
    if (!maybeStored && diskFullSince !== null) {
      return { ok: false, problem: diskFull(diskFullAt, leader) };
    }
    const tried = `${attempts} attempt${attempts === 1 ? '' : 's'} within the write timeout (${budget} ms)`;
    return {
      ok: false,
      problem: maybeStored
        ? outcomeUnknown(`The write was not confirmed after ${tried}: ${maybeWhy}`, leader)
        : notStored(`The write could not be stored after ${tried}: ${why}`, leader),
    };
  }
}
