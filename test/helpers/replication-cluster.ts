import type { LocalCluster, ReplicaProcess } from '@distilled/launcher';
import { ErrorReason, type AppendResponse, type StatusResponse } from '@distilled/proto';
import { setTimeout as sleep } from 'node:timers/promises';
import { eventually } from './eventually';
import { ReplicaCallError, ReplicaClients } from './replication-client';

/** Reasons that say "this replica cannot take the write, nothing was stored: try elsewhere". */
const RETRYABLE = new Set<string>([
  ErrorReason.NotLeader,
  ErrorReason.NoLeader,
  ErrorReason.ShuttingDown,
]);

/**
 * Drives a LocalCluster's replicas directly over gRPC: finds the leader, appends with retries
 * across a failover, reads what is committed, and remembers every acknowledged message so a
 * test can check that none is ever lost.
 */
export class ReplicationDriver {
  readonly clients = new ReplicaClients();
  /** offset -> message of every acknowledged Append. */
  readonly acknowledged = new Map<number, string>();

  constructor(readonly cluster: LocalCluster) {}

  live(): ReplicaProcess[] {
    return this.cluster.replicas.filter((replica) => replica.running && !replica.isPaused);
  }

  status(replica: ReplicaProcess): Promise<StatusResponse> {
    return this.clients.get(replica.address).status();
  }

  /** The replica that says it leads (and is alive), if any right now. */
  async leader(): Promise<ReplicaProcess | undefined> {
    for (const replica of this.live()) {
      const status = await this.status(replica).catch(() => undefined);
      if (status?.role === 'leader') return replica;
    }
    return undefined;
  }

  /**
   * Appends through whichever replica leads, retrying not-leader/no-leader until `timeoutMs`.
   * Records the acknowledged messages.
   */
  async append(
    messages: string[],
    timeoutMs = 15_000,
    callTimeoutMs = 5_000,
    record = true,
  ): Promise<AppendResponse> {
    const deadline = Date.now() + timeoutMs;
    let last: unknown;
    while (Date.now() < deadline) {
      for (const replica of this.live()) {
        try {
          const response = await this.clients
            .get(replica.address)
            .append(messages, { timeoutMs: callTimeoutMs });
          if (record) {
            messages.forEach((message, i) =>
              this.acknowledged.set(response.base_offset + i, message),
            );
          }
          return response;
        } catch (error) {
          last = error;
          const retryable =
            error instanceof ReplicaCallError &&
            (RETRYABLE.has(error.reason ?? '') ||
              error.code === 14); /* UNAVAILABLE, no reason: down */
          if (!retryable || error.reason === ErrorReason.NotEnoughReplicas) throw error;
        }
      }
      await sleep(20);
    }
    throw new Error(`no replica took the append within ${timeoutMs} ms: ${String(last)}`);
  }

  /** Reads `offset` from `replica`, waiting (bounded) while it is not committed there yet. */
  read(replica: ReplicaProcess, offset: number, timeoutMs = 3_000): Promise<string> {
    return eventually(
      `offset ${offset} on ${replica.id}`,
      async () => {
        try {
          const response = await this.clients.get(replica.address).read(offset);
          return response.message.toString();
        } catch (error) {
          if (error instanceof ReplicaCallError && error.reason === ErrorReason.NotCommitted) {
            return undefined;
          }
          throw error;
        }
      },
      timeoutMs,
    );
  }

  /** Every acknowledged message, read back from every live replica. */
  async expectAllAcknowledgedOn(replicas: ReplicaProcess[] = this.live()): Promise<void> {
    for (const replica of replicas) {
      for (const [offset, message] of this.acknowledged) {
        const read = await this.read(replica, offset);
        if (read !== message) {
          throw new Error(
            `${replica.id} holds "${read}" at offset ${offset}, acknowledged "${message}"`,
          );
        }
      }
    }
  }

  close(): void {
    this.clients.close();
  }
}
