/**
 * Defaults and fixed limits of a replica, in one place (the README lists the configurable ones;
 * DISTILLED_ETCD's and DISTILLED_CLUSTER's defaults are shared with the API in @distilled/common).
 */
export const DEFAULT_GRPC_HOST = '0.0.0.0';
export const DEFAULT_GRPC_PORT = 50051;
export const DEFAULT_MIN_INSYNC = 1;
export const DEFAULT_FSYNC = 'always';
/** Segments roll at 64 MiB: few files, and truncation/recovery touch little. */
export const DEFAULT_SEGMENT_BYTES = 64 * 1024 * 1024;
/**
 * 1 s: a SIGKILLed leader's election key expires about a second later, so failover takes
 * ~1 s plus an election. etcd raises a TTL below its minimum, ceil(1.5 x election timeout):
 * 2 s with etcd's default 1 s election timeout, 1 s with the 500 ms the launcher and
 * docker-compose give it. The lease is only a liveness hint; the epoch is the fence.
 */
export const DEFAULT_LEASE_TTL_SECONDS = 1;
export const DEFAULT_REPLICA_LAG_MS = 2000;
/** Above the lag limit, so a stalled follower leaves the ISR before waiting appends time out. */
export const DEFAULT_COMMIT_TIMEOUT_MS = 4000;

/** How much log a fetch response carries at most (whole batches, so it may run a batch over). */
export const FETCH_MAX_BYTES = 1024 * 1024;
/** How often the leader checks its followers' lag against the limit. */
export const ISR_CHECK_INTERVAL_MS = 100;
/** A follower's reconnect backoff to the leader: first and longest wait. */
export const FOLLOWER_BACKOFF_MIN_MS = 50;
export const FOLLOWER_BACKOFF_MAX_MS = 1000;
/**
 * A follower whose fetch failed revokes the leader's etcd leases once this many connects in a
 * row, spread over at least this long, were refused (apps/server README, "Failover"): long
 * enough that one odd reset is not taken for a death, short next to the lease TTL it saves.
 * A connect unanswered within the probe timeout is no evidence (a partition, a dead host).
 */
export const LEADER_REFUSALS_TO_CONFIRM = 3;
export const LEADER_REFUSAL_WINDOW_MS = 150;
export const LEADER_PROBE_TIMEOUT_MS = 250;
/** How long the follower waits for the leader's EndOffsetForEpoch answer. */
export const END_OFFSET_DEADLINE_MS = 3000;
/** At a graceful stop, how long a leader lets in-flight appends commit before it resigns. */
export const SHUTDOWN_DRAIN_MS = 2000;
/** Call metadata that carries the caller's leader epoch on EndOffsetForEpoch (a fence). */
export const LEADER_EPOCH_METADATA = 'distilled-leader-epoch';
/**
 * How long the leader holds a read of an offset it has written but not yet seen confirmed by
 * the ISR (just after an election its followers have not fetched yet); a client's read of an
 * acknowledged message should wait briefly, not be told the message does not exist.
 */
export const READ_COMMIT_WAIT_MS = 1000;
/**
 * How often the leader checks its segments against the retention limits: a segment past a limit
 * goes within about this long after a roll, well inside the contract's ~10 s.
 */
export const RETENTION_CHECK_INTERVAL_MS = 1000;

/** Idempotency keys the leader remembers (DISTILLED_IDEMPOTENCY_MAX_KEYS): ~1 M is ~100 MB. */
export const DEFAULT_IDEMPOTENCY_MAX_KEYS = 1_000_000;
/** How long a key is remembered (DISTILLED_IDEMPOTENCY_WINDOW_MS): 24 h, Stripe's choice. */
export const DEFAULT_IDEMPOTENCY_WINDOW_MS = 24 * 60 * 60 * 1000;
/** ReadRange bounds (the HTTP API's Range bounds, README, "The HTTP API"). */
export const RANGE_MAX_COUNT = 10_000;
export const RANGE_MAX_BYTES = 16 * 1024 * 1024;
export const RANGE_MAX_WAIT_MS = 60_000;
/** Message bytes one Follow response carries at most (at least one message). */
export const FOLLOW_MAX_BYTES = 1024 * 1024;
/** A Follow stream with no news sends an empty response this often: the caller's liveness check. */
export const FOLLOW_HEARTBEAT_MS = 1000;
/** A replica whose disk is full probes for space after this long, doubling up to the max. */
export const DISK_PROBE_MIN_MS = 200;
export const DISK_PROBE_MAX_MS = 5000;
/** Bytes a space probe writes: the default message limit, so a probe that passes means room. */
export const DISK_PROBE_BYTES = 1024 * 1024;

/**
 * How long a new leader waits before scanning its log for Idempotency-Keys (unless a keyed
 * append asks sooner): the scan's CPU would otherwise compete with a failover's first commits.
 */
export const KEY_SCAN_DELAY_MS = 500;
