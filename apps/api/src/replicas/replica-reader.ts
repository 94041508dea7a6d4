import { Inject, Injectable } from '@nestjs/common';
import { ErrorReason } from '@distilled/proto';
import { READ_CALL_TIMEOUT_MS } from '../constants';
import { ApiProblem, offsetNotFound, unavailable } from '../problems';
import {
  REPLICA_GATEWAY,
  ReplicaCallError,
  type ReplicaGateway,
  type ReplicaRef,
} from './replica-gateway';

export interface ReadResult {
  offset: number;
  message: Buffer;
}

/**
 * Reads spread over the replicas (DESIGN.md B.3): a random replica first. A follower may not
 * have seen a just-committed offset yet, so before answering 404 the leader is asked. Only an
 * answer from a replica that is leading right now, for an offset at or past its log end, means
 * "not written" (404; its high watermark is where the log ends). Anything less certain — the
 * replica etcd names as leader but which just restarted and does not lead yet, or a leader
 * that holds the message but has not seen it confirmed — ends in 503, never a wrong 404. An
 * unreachable replica costs one short timeout and the next one is tried.
 */
@Injectable()
export class ReplicaReader {
  constructor(@Inject(REPLICA_GATEWAY) private readonly gateway: ReplicaGateway) {}

  async read(offset: number): Promise<ReadResult> {
    const replicas = shuffle(this.gateway.replicas());
    if (replicas.length === 0) {
      throw unavailable('No replica is registered in the cluster right now; try again shortly.');
    }
    const tried = new Set<string>();
    for (const replica of replicas) {
      if (tried.has(replica.id)) continue;
      tried.add(replica.id);
      const answer = await this.tryRead(replica, offset);
      if (answer.kind === 'found') return answer.result;
      if (answer.kind === 'unreachable') continue;
      if (answer.notWritten) throw offsetNotFound(offset, answer.highWatermark);
      // Not committed on this replica: only the leader can say it is not written yet.
      const leader = this.gateway.leader();
      if (leader === null || tried.has(leader.id)) continue;
      tried.add(leader.id);
      const fromLeader = await this.tryRead(leader, offset);
      if (fromLeader.kind === 'found') return fromLeader.result;
      if (fromLeader.kind === 'not-committed' && fromLeader.notWritten) {
        throw offsetNotFound(offset, fromLeader.highWatermark);
      }
    }
    throw unavailable(
      `Offset ${offset} could not be read: no replica that has it answered, and no leader could confirm whether it is written. Try again shortly.`,
      this.gateway.leader()?.id ?? null,
    );
  }

  private async tryRead(
    replica: ReplicaRef,
    offset: number,
  ): Promise<
    | { kind: 'found'; result: ReadResult }
    | { kind: 'not-committed'; highWatermark: number; notWritten: boolean }
    | { kind: 'unreachable' }
  > {
    try {
      const response = await this.gateway.read(replica, offset, Date.now() + READ_CALL_TIMEOUT_MS);
      return { kind: 'found', result: { offset: response.offset, message: response.message } };
    } catch (error) {
      if (error instanceof ApiProblem) throw error;
      if (!(error instanceof ReplicaCallError)) throw error;
      if (error.reason === ErrorReason.NotCommitted) {
        const notWritten =
          error.role === 'leader' && error.logEndOffset !== null && offset >= error.logEndOffset;
        return { kind: 'not-committed', highWatermark: error.highWatermark ?? 0, notWritten };
      }
      // Unreachable, starting, damaged, or any other refusal: another replica may serve it.
      return { kind: 'unreachable' };
    }
  }
}

function shuffle<T>(items: readonly T[]): T[] {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i -= 1) {
    const j = Math.floor(Math.random() * (i + 1));
    [copy[i], copy[j]] = [copy[j], copy[i]];
  }
  return copy;
}
