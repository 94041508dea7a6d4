import { status as GrpcStatus } from '@grpc/grpc-js';
import { ErrorReason } from '@distilled/proto';

/** Facts an error carries to the client as `distilled-*` trailing metadata. */
export interface ReplicaErrorDetails {
  leaderId?: string;
  leaderAddress?: string;
  highWatermark?: number;
  logEndOffset?: number;
  /** The answering replica's role (with not-committed). */
  role?: string;
}

/**
 * The one error type of the server (STYLE.md rule 4): a reason from the wire contract, the
 * gRPC status it travels as, and the facts a client needs to act on it. Build it with the
 * factories so every message speaks the same way; GrpcExceptionFilter turns it into a status.
 */
export class ReplicaError extends Error {
  private constructor(
    readonly reason: ErrorReason,
    readonly code: GrpcStatus,
    message: string,
    readonly details: ReplicaErrorDetails = {},
  ) {
    super(message);
    this.name = 'ReplicaError';
  }

  static notLeader(leaderId: string, leaderAddress?: string): ReplicaError {
    const where = leaderAddress ? ` at ${leaderAddress}` : '';
    return new ReplicaError(
      ErrorReason.NotLeader,
      GrpcStatus.FAILED_PRECONDITION,
      `this replica is a follower; the leader is ${leaderId}${where}`,
      { leaderId, leaderAddress },
    );
  }

  static noLeader(): ReplicaError {
    return new ReplicaError(
      ErrorReason.NoLeader,
      GrpcStatus.UNAVAILABLE,
      'no leader is known (election in progress or etcd unreachable); the batch was not appended',
    );
  }

  static notEnoughReplicas(isr: readonly string[], minInsync: number): ReplicaError {
    return new ReplicaError(
      ErrorReason.NotEnoughReplicas,
      GrpcStatus.UNAVAILABLE,
      `only ${isr.length} in-sync replica(s) [${isr.join(', ')}], ${minInsync} required; the batch was not appended`,
    );
  }

  static shuttingDown(): ReplicaError {
    return new ReplicaError(
      ErrorReason.ShuttingDown,
      GrpcStatus.UNAVAILABLE,
      'this replica is shutting down; the batch was not appended',
    );
  }

  static commitTimeout(baseOffset: number, count: number, timeoutMs: number): ReplicaError {
    return new ReplicaError(
      ErrorReason.CommitTimeout,
      GrpcStatus.DEADLINE_EXCEEDED,
      `offsets ${baseOffset}..${baseOffset + count - 1} were appended but not committed within ${timeoutMs} ms; they may or may not survive`,
    );
  }

  static leadershipLost(why: string): ReplicaError {
    return new ReplicaError(
      ErrorReason.LeadershipLost,
      GrpcStatus.ABORTED,
      `leadership was lost (${why}) before the batch committed; it may or may not survive`,
    );
  }

  static notCommitted(
    offset: number,
    highWatermark: number,
    logEndOffset: number,
    role: string,
  ): ReplicaError {
    return new ReplicaError(
      ErrorReason.NotCommitted,
      GrpcStatus.OUT_OF_RANGE,
      `offset ${offset} is not committed on this replica (high watermark ${highWatermark}, role ${role})`,
      { highWatermark, logEndOffset, role },
    );
  }

  /** Reads on a replica whose log lacks committed messages; `problem` says what and why. */
  static repairing(problem: string): ReplicaError {
    return new ReplicaError(
      ErrorReason.Repairing,
      GrpcStatus.UNAVAILABLE,
      `this replica serves no reads until its log is repaired (${problem}); ask another replica`,
    );
  }

  static invalidArgument(message: string): ReplicaError {
    return new ReplicaError(ErrorReason.InvalidArgument, GrpcStatus.INVALID_ARGUMENT, message);
  }

  static fencedEpoch(theirs: number, ours: number): ReplicaError {
    return new ReplicaError(
      ErrorReason.FencedEpoch,
      GrpcStatus.FAILED_PRECONDITION,
      `epoch ${theirs} does not match this leader's epoch ${ours}`,
    );
  }

  static offsetMismatch(expectedOffset: number, nextOffset: number): ReplicaError {
    return new ReplicaError(
      ErrorReason.OffsetMismatch,
      GrpcStatus.FAILED_PRECONDITION,
      `the append expected offset ${expectedOffset} but the next offset is ${nextOffset}; nothing was stored`,
      { logEndOffset: nextOffset },
    );
  }

  static keyInFlight(key: string): ReplicaError {
    return new ReplicaError(
      ErrorReason.KeyInFlight,
      GrpcStatus.ABORTED,
      `the first request with idempotency key "${key}" is still being written or committed; nothing was appended for this one`,
    );
  }

  static keyMismatch(key: string): ReplicaError {
    return new ReplicaError(
      ErrorReason.KeyMismatch,
      GrpcStatus.FAILED_PRECONDITION,
      `idempotency key "${key}" was used for a request with another body; nothing was appended`,
    );
  }

  static notLeaderForReplication(): ReplicaError {
    return new ReplicaError(
      ErrorReason.NotLeader,
      GrpcStatus.FAILED_PRECONDITION,
      'this replica is not the leader; replication calls go to the leader',
    );
  }
}
