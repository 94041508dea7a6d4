import { Inject, Injectable } from '@nestjs/common';
import { TurnBatcher } from '@distilled/common';
import { ErrorReason } from '@distilled/proto';
import { MAX_READ_BATCH_OFFSETS, READ_CALL_TIMEOUT_MS } from '../constants';
import { ApiProblem, offsetNotFound, unavailable } from '../problems';
import type { ReadBatchResponse } from '@distilled/proto';
import { readRefusalProblem } from './read-refusal';
import {
  REPLICA_GATEWAY,
  ReplicaCallError,
  type ReplicaGateway,
  type ReplicaRef,
} from './replica-gateway';
import { shuffled } from './shuffled';

export interface ReadResult {
  offset: number;
  message: Buffer;
}

interface PendingRead {
  offset: number;
  resolve(result: ReadResult): void;
  reject(error: unknown): void;
}

type FirstAnswer = { kind: 'not-committed'; highWatermark: number } | { kind: 'unreachable' };

/**
 * Reads spread over the replicas (apps/api README, "Reads"): a random replica first. A follower may
 * not have seen a just-committed offset yet, so before answering 404 the leader is asked. Only an
 * answer from a replica that is leading right now, for an offset at or past its log end, means "not
 * written" (404; its high watermark is where the log ends). Anything less certain (the replica etcd
 * names as leader but which just restarted and does not lead yet, or a leader that holds the
 * message but has not seen it confirmed) ends in 503, never a wrong 404. An unreachable replica
 * costs one short timeout and the next one is tried.
 */
@Injectable()
export class ReplicaReader {
  /** GETs of this turn of the event loop, sent together as one ReadBatch (or a few, if many). */
  private readonly pending = new TurnBatcher<PendingRead>(
    (reads) =>
      void this.flush(reads).catch((error: unknown) => {
        for (const read of reads) read.reject(error);
      }),
    { maxItems: MAX_READ_BATCH_OFFSETS },
  );

  constructor(@Inject(REPLICA_GATEWAY) private readonly gateway: ReplicaGateway) {}

  /**
   * The first attempt is coalesced: every GET that arrives in the same turn of the event loop
   * goes to one random replica in one ReadBatch call (no timer: it leaves on the next turn).
   * What that replica has not committed, or any failure of the call, falls back to the
   * one-offset path below (leader check, other replicas), so the answers are the same.
   */
  read(offset: number): Promise<ReadResult> {
    return new Promise<ReadResult>((resolve, reject) => {
      this.pending.add({ offset, resolve, reject });
    });
  }

  private async flush(reads: PendingRead[]): Promise<void> {
    const replicas = shuffled(this.gateway.replicas());
    if (replicas.length === 0) {
      const problem = unavailable(
        'No replica is registered in the cluster right now; try again shortly.',
      );
      for (const read of reads) read.reject(problem);
      return;
    }
    const first = replicas[0];
    let response: ReadBatchResponse | undefined;
    try {
      response = await this.gateway.readBatch(
        first,
        reads.map((read) => read.offset),
        Date.now() + READ_CALL_TIMEOUT_MS,
      );
    } catch (error) {
      if (!(error instanceof ReplicaCallError)) {
        for (const read of reads) read.reject(error);
        return;
      }
      // Unreachable, or a replica without ReadBatch: the one-offset path tries the others.
    }
    for (const [index, read] of reads.entries()) {
      if (response?.found[index]) {
        read.resolve({ offset: read.offset, message: response.messages[index] });
        continue;
      }
      if (response && index >= response.found.length) {
        // Left out of a capped answer (large messages): read it alone, from any replica.
        this.readOneByOne(read.offset, replicas, new Set()).then(read.resolve, read.reject);
        continue;
      }
      const answer: FirstAnswer = response
        ? { kind: 'not-committed', highWatermark: response.high_watermark }
        : { kind: 'unreachable' };
      this.readAfter(read.offset, first, answer, replicas).then(read.resolve, read.reject);
    }
  }

  /** The rest of the one-offset path, once `first` gave `answer`. */
  private async readAfter(
    offset: number,
    first: ReplicaRef,
    answer: FirstAnswer,
    replicas: ReplicaRef[],
  ): Promise<ReadResult> {
    const tried = new Set<string>();
    if (answer.kind === 'not-committed') {
      // A ReadBatch miss is never final (it does not say who answered or where its log ends):
      // ask the leader with a one-offset Read, even when the batch went to it.
      const leader = this.gateway.leader();
      if (leader !== null) {
        tried.add(leader.id);
        const fromLeader = await this.tryRead(leader, offset);
        if (fromLeader.kind === 'found') return fromLeader.result;
        if (fromLeader.kind === 'not-committed' && fromLeader.notWritten) {
          throw offsetNotFound(offset, fromLeader.highWatermark);
        }
      }
    }
    tried.add(first.id);
    return this.readOneByOne(offset, replicas, tried);
  }

  /** Each replica in turn, one Read each (the path every read took before ReadBatch). */
  private async readOneByOne(
    offset: number,
    replicas: ReplicaRef[],
    tried: Set<string>,
  ): Promise<ReadResult> {
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
      const final = readRefusalProblem(error, offset);
      if (final) throw final;
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
