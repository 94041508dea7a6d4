/**
 * Keyed writes (an Idempotency-Key, no Expected-Offset) leave in groups, as plain writes leave in
 * the producer's batches (apps/api/README.md, "Batches and safe retries"): the requests of one
 * turn of the event loop go as the parts of one Append, tried by one AppendAttempts run (one
 * promise chain, one deadline, one call per attempt for the group) and answered part by part.
 * One request per keyed POST down to the stream was most of what a key cost the API.
 */
import { Logger } from '@nestjs/common';
import { TurnBatcher } from '@distilled/common';
import type { AppendBatch } from '@distilled/proto';
import { MAX_BATCH_BYTES, MAX_BATCH_MESSAGES, MIN_ATTEMPT_MS } from '../constants';
import { internalError, notStored } from '../problems';
import type { AppendAttempts, AttemptsOutcome } from './append-attempts';
import { requestHash, type WriteRoute } from './request-hash';

/**
 * Groups in flight at once. One: the requests that arrive while a group is being decided wait
 * for it and leave together as the next, so the leader's record batches stay as large as plain
 * writes' (several groups in flight made them less than half as large at 64 connections).
 */
export const KEYED_GROUPS_IN_FLIGHT = 1;

interface KeyedWrite {
  /** Its request hash is set when its group leaves (sendGroup). */
  request: AppendBatch;
  route: WriteRoute;
  messageBytes: number;
  /** When this request's answer is due. */
  deadline: number;
  answer(outcome: AttemptsOutcome): void;
}

export class KeyedGroups {
  /** Keyed writes of this turn: they join the queue together, then leave as a group. */
  private readonly arrivals = new TurnBatcher<KeyedWrite>((writes) => this.enqueue(writes));
  /** Writes waiting for the group in flight, oldest first. */
  private readonly queue: KeyedWrite[] = [];
  private inFlight = 0;
  private readonly logger = new Logger('KeyedGroups');

  constructor(
    private readonly attempts: AppendAttempts,
    /** The leader known now, named in a 503 for a request that was never sent. */
    private readonly leaderId: () => string | null,
  ) {}

  /**
   * Sends one keyed request (no request_hash yet: its group computes it) with the others of
   * its turn; its own outcome.
   */
  send(request: AppendBatch, route: WriteRoute, deadline: number): Promise<AttemptsOutcome> {
    let messageBytes = 0;
    for (const message of request.messages) messageBytes += message.length;
    return new Promise<AttemptsOutcome>((answer) => {
      this.arrivals.add({ request, route, messageBytes, deadline, answer });
    });
  }

  private enqueue(writes: KeyedWrite[]): void {
    for (const write of writes) this.queue.push(write);
    this.pump();
  }

  private pump(): void {
    while (this.queue.length > 0 && this.inFlight < KEYED_GROUPS_IN_FLIGHT) {
      const group = this.takeGroup();
      if (group.length === 0) continue;
      this.inFlight += 1;
      void this.sendGroup(group).finally(() => {
        this.inFlight -= 1;
        // What queued meanwhile goes now, with this turn's arrivals (no need to wait for its end).
        this.enqueue(this.arrivals.discard());
      });
    }
  }

  /**
   * The next group, oldest first, within a batch's limits (a request larger than that leaves
   * alone). A request with too little time left to attempt it is answered 503 on its own.
   */
  private takeGroup(): KeyedWrite[] {
    const { queue } = this;
    const now = Date.now();
    const group: KeyedWrite[] = [];
    let bytes = 0;
    let count = 0;
    while (queue.length > 0) {
      const next = queue[0];
      if (next.deadline - now < MIN_ATTEMPT_MS) {
        queue.shift();
        const why =
          'The write waited for earlier keyed writes longer than the write timeout and was never sent.';
        next.answer({ ok: false, problem: notStored(why, this.leaderId()) });
        continue;
      }
      const messages = next.request.messages.length;
      const full =
        bytes + next.messageBytes > MAX_BATCH_BYTES || count + messages > MAX_BATCH_MESSAGES;
      if (group.length > 0 && full) break;
      queue.shift();
      group.push(next);
      bytes += next.messageBytes;
      count += messages;
    }
    return group;
  }

  private async sendGroup(group: KeyedWrite[]): Promise<void> {
    let deadline = Infinity;
    for (const write of group) deadline = Math.min(deadline, write.deadline);
    let outcomes: AttemptsOutcome[];
    try {
      // The group's hashes in one pass, not one per POST between the HTTP work of others:
      // SHA-256 run back to back stays in cache (in the cluster a hash per POST cost the API
      // about 5% of its CPU at 64 keyed connections).
      for (const write of group) {
        write.request.request_hash = requestHash(write.route, write.request.messages);
      }
      outcomes = await this.attempts.sendParts(
        group.map((write) => write.request),
        deadline,
      );
    } catch (error) {
      // A bug, not a replica failure: the group may have been sent, so never claim "not stored".
      this.logger.error(
        `a group of ${group.length} keyed writes failed unexpectedly`,
        error instanceof Error ? error.stack : String(error),
      );
      outcomes = group.map(() => ({ ok: false, problem: internalError() }));
    }
    group.forEach((write, i) => write.answer(outcomes[i]));
  }
}
