import { Inject, Injectable } from '@nestjs/common';
import { ErrorReason, type ReadRangeResponse } from '@distilled/proto';
import { READ_CALL_TIMEOUT_MS } from '../constants';
import { unavailable } from '../problems';
import {
  REPLICA_GATEWAY,
  ReplicaCallError,
  type ReplicaGateway,
  type ReplicaRef,
} from '../replicas/replica-gateway';
import { readRefusalProblem } from '../replicas/read-refusal';
import { shuffled } from '../replicas/shuffled';

export interface RangeRequest {
  offset: number;
  limit: number;
  maxBytes: number;
  /** How long to hold an empty answer for a commit at `offset` (0: answer at once). */
  waitMs: number;
}

export interface RangePage {
  /** The first message's offset (the request's offset). */
  offset: number;
  /** messages[i] is at offset + i. */
  messages: Buffer[];
  /** The committed end the answering replica knew. */
  endOffset: number;
}

type Attempt =
  | { kind: 'answer'; response: ReadRangeResponse }
  /** Unreachable, repairing, or a leader with the offset written but not yet confirmed. */
  | { kind: 'no-answer' };

/**
 * GET /Data/Range over the replicas, with GET /Data's promise (DESIGN.md B.3): spread over the
 * replicas, and every acknowledged message readable at once. A random replica answers from below
 * its high watermark; when it has nothing at `offset` and is not the leader (it may just be
 * behind), the leader is asked, and only the leader's empty answer means "the log ends here"
 * (the leader also holds the long-poll: its high watermark moves first). When no leader can
 * say, the answer is 503, never an empty page that could hide an acknowledged message.
 *
 * A refusal that is final whichever replica is asked (an offset deleted by retention) is the
 * client's answer at once (410, through the shared read-refusal table).
 */
@Injectable()
export class RangeReader {
  /**
   * The newest log start any replica showed this reader (in an answer or a trimmed refusal):
   * everything below it was deleted by retention (a replica's start never passes the leader's),
   * so a page read earlier from below it must not be served any more (RangeReadAhead).
   */
  private newestLogStart = 0;

  constructor(@Inject(REPLICA_GATEWAY) private readonly gateway: ReplicaGateway) {}

  get logStart(): number {
    return this.newestLogStart;
  }

  async read(request: RangeRequest): Promise<RangePage> {
    const replicas = shuffled(this.gateway.replicas());
    if (replicas.length === 0) {
      throw unavailable('No replica is registered in the cluster right now; try again shortly.');
    }
    const leader = this.gateway.leader();
    const tried = new Set<string>();
    const first = replicas[0];
    tried.add(first.id);
    // The leader holds long-polls; any other replica is asked without waiting.
    const firstIsLeader = leader !== null && first.id === leader.id;
    const answer = await this.attempt(first, request, firstIsLeader ? request.waitMs : 0);
    if (answer.kind === 'answer' && this.final(answer.response)) {
      return page(request.offset, answer.response);
    }
    if (leader !== null && !tried.has(leader.id)) {
      tried.add(leader.id);
      const fromLeader = await this.attempt(leader, request, request.waitMs);
      if (fromLeader.kind === 'answer' && this.final(fromLeader.response)) {
        return page(request.offset, fromLeader.response);
      }
    }
    // No leader could say where the log ends: any replica that holds the messages may serve them.
    for (const replica of replicas) {
      if (tried.has(replica.id)) continue;
      tried.add(replica.id);
      const other = await this.attempt(replica, request, 0);
      if (other.kind === 'answer' && other.response.messages.length > 0) {
        return page(request.offset, other.response);
      }
    }
    throw unavailable(
      `Offset ${request.offset} could not be read: no replica that has it answered, and no leader could confirm where the log ends. Try again shortly.`,
      leader?.id ?? null,
    );
  }

  /**
   * The committed end of the log (the leader's high watermark), for `offset=end`: the leader's
   * answer to a range read past any offset.
   */
  async committedEnd(): Promise<number> {
    const leader = this.gateway.leader();
    if (leader !== null) {
      const answer = await this.attempt(
        leader,
        { offset: Number.MAX_SAFE_INTEGER, limit: 1, maxBytes: 1, waitMs: 0 },
        0,
      );
      if (answer.kind === 'answer' && answer.response.role === 'leader') {
        return answer.response.high_watermark;
      }
    }
    throw unavailable(
      'No leader could say where the log ends right now, so offset=end has no meaning yet; try again shortly.',
      leader?.id ?? null,
    );
  }

  private sawLogStart(logStart: number): void {
    if (logStart > this.newestLogStart) this.newestLogStart = logStart;
  }

  /** Messages, or an empty answer from an acting leader: nobody can know more. */
  private final(response: ReadRangeResponse): boolean {
    return response.messages.length > 0 || response.role === 'leader';
  }

  private async attempt(
    replica: ReplicaRef,
    request: RangeRequest,
    waitMs: number,
  ): Promise<Attempt> {
    try {
      const response = await this.gateway.readRange(
        replica,
        {
          offset: request.offset,
          max_count: request.limit,
          max_bytes: request.maxBytes,
          wait_ms: waitMs,
        },
        Date.now() + READ_CALL_TIMEOUT_MS + waitMs,
      );
      this.sawLogStart(response.log_start_offset ?? 0);
      return { kind: 'answer', response };
    } catch (error) {
      if (!(error instanceof ReplicaCallError)) throw error;
      if (error.reason === ErrorReason.InvalidArgument) throw error; // a bug here, not there
      if (error.logStartOffset !== null) this.sawLogStart(error.logStartOffset);
      const final = readRefusalProblem(error, request.offset);
      if (final) throw final;
      return { kind: 'no-answer' };
    }
  }
}

function page(offset: number, response: ReadRangeResponse): RangePage {
  return { offset, messages: response.messages ?? [], endOffset: response.high_watermark };
}
