/**
 * How replicas tell clients why a call failed. The gRPC status code says what kind of failure
 * it is; the `distilled-reason` metadata entry says exactly which, so the API can map it to
 * the right HTTP answer (apps/api README, "Errors") without parsing messages.
 */
export enum ErrorReason {
  /** This replica is not the leader. Status FAILED_PRECONDITION. Leader id/address attached when known. */
  NotLeader = 'not-leader',
  /** The offset is not committed on this replica (yet). Status OUT_OF_RANGE. High watermark attached. */
  NotCommitted = 'not-committed',
  /** Too few in-sync replicas: the batch was NOT appended. Status UNAVAILABLE. */
  NotEnoughReplicas = 'not-enough-replicas',
  /** The replica is stopping; the batch was NOT appended. Status UNAVAILABLE. */
  ShuttingDown = 'shutting-down',
  /** No leader is known (election in progress, or etcd unreachable). NOT appended. Status UNAVAILABLE. */
  NoLeader = 'no-leader',
  /** The batch was appended but not committed in time: it may or may not survive. Status DEADLINE_EXCEEDED. */
  CommitTimeout = 'commit-timeout',
  /** Leadership was lost after the batch was appended: it may or may not survive. Status ABORTED. */
  LeadershipLost = 'leadership-lost',
  /** The request is malformed (bad offset, empty batch, oversized message). Status INVALID_ARGUMENT. */
  InvalidArgument = 'invalid-argument',
  /** The producer sequence is older than what the log remembers for it. Status FAILED_PRECONDITION. */
  StaleSequence = 'stale-sequence',
  /** The replica's log is damaged below its high watermark and must be repaired. Status UNAVAILABLE. */
  Corrupted = 'corrupted',
  /**
   * The replica knows its log lacks committed messages (corruption, lost files) and is fetching
   * them again from the leader: it serves no reads and does not stand for leader until then.
   * Nothing is wrong with the offset asked for: ask another replica. Status UNAVAILABLE.
   */
  Repairing = 'repairing',
  /**
   * The offset is below the replica's log start: retention deleted it. Status OUT_OF_RANGE, the
   * log start attached (distilled-log-start-offset). The API answers 410 with `firstOffset`.
   */
  OffsetTrimmed = 'offset-trimmed',
  /** A replication call carried an epoch other than the leader's. Status FAILED_PRECONDITION. */
  FencedEpoch = 'fenced-epoch',
  /**
   * The append's expected offset is not where it would be written; nothing was stored. Status
   * FAILED_PRECONDITION, the next offset in distilled-log-end-offset.
   */
  OffsetMismatch = 'offset-mismatch',
  /** The idempotency key's first request is still being written or committed. Status ABORTED. */
  KeyInFlight = 'key-in-flight',
  /** The idempotency key was used for another request body. Status FAILED_PRECONDITION. */
  KeyMismatch = 'key-mismatch',
  /**
   * The replica's disk is full (ENOSPC, EDQUOT): the batch was NOT stored and its log is as it
   * was. Status RESOURCE_EXHAUSTED. A leader in that state hands over to an in-sync replica
   * with room when there is one; the API answers 507.
   */
  DiskFull = 'disk-full',
}

/** Metadata keys carried in a failed call's trailers. */
export const ErrorMetadata = {
  reason: 'distilled-reason',
  leaderId: 'distilled-leader-id',
  leaderAddress: 'distilled-leader-address',
  highWatermark: 'distilled-high-watermark',
  logEndOffset: 'distilled-log-end-offset',
  /** With offset-trimmed: the first offset the replica still serves. */
  logStartOffset: 'distilled-log-start-offset',
  /**
   * With not-committed: the answering replica's role. Only an acting leader's answer for an
   * offset at or past its log end means "not written"; anything else may be a replica that
   * has not caught up (or just restarted and does not know its high watermark yet).
   */
  role: 'distilled-role',
} as const;
