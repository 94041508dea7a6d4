/**
 * Defaults and fixed limits of the HTTP API. Configurable values are read in config/ (etcd's and
 * the cluster prefix's defaults, shared with the replicas, are in @distilled/common).
 */

export const DEFAULT_API_HOST = '0.0.0.0';
/**
 * DISTILLED_API_RATE_LIMIT counts requests per this window by default: a limit then reads as
 * requests per second, and a client refused waits at most a second.
 */
export const DEFAULT_RATE_LIMIT_WINDOW_MS = 1000;
/**
 * Clients (API keys, or IPs without keys) whose counts the rate limiter remembers at once; the
 * least recently seen is forgotten first (and starts afresh). ~100 B each.
 */
export const RATE_LIMIT_CLIENTS = 100_000;
export const DEFAULT_API_PORT = 5000;
/** 1 MiB of UTF-8 (README, "The HTTP API"). */
export const DEFAULT_MAX_MESSAGE_BYTES = 1024 * 1024;
export const DEFAULT_WRITE_TIMEOUT_MS = 5000;
/**
 * POST /Data/Batch: every message of one batch together, in UTF-8 (apps/api/README.md, "Batches and
 * safe retries").
 */
export const DEFAULT_MAX_BATCH_BYTES = 16 * 1024 * 1024;
/** The highest DISTILLED_MAX_BATCH_BYTES: one batch must fit one 64 MiB gRPC message with room. */
export const MAX_BATCH_BYTES_LIMIT = 32 * 1024 * 1024;
/** Messages in one POST /Data/Batch. */
export const MAX_BATCH_REQUEST_MESSAGES = 10_000;
/** Idempotency-Key: 1 to this many visible ASCII characters (the log's batch extension holds 255). */
export const MAX_IDEMPOTENCY_KEY_LENGTH = 255;
/** Seconds a client is told to wait after 409: its key's first request is still in flight. */
export const KEY_IN_FLIGHT_RETRY_AFTER_SECONDS = 1;
/**
 * Batches the API's producer keeps in flight at once (DISTILLED_API_MAX_IN_FLIGHT), counted as a
 * span of sequences from the oldest unanswered one. At most MAX_IN_FLIGHT_LIMIT: the log
 * recognises a retried batch only within that many sequences of the newest (libs/log-store
 * PRODUCER_WINDOW = 5, Kafka's max.in.flight with idempotence). Default 1: on the 2-core
 * benchmark machine, 2 and 4 measured 10-15% fewer POSTs/s at 64 connections than 1 (smaller
 * batches cost the replicas more per message, and every process shares the two cores); more in
 * flight pays where the replicas have cores of their own and the round trip is long.
 */
export const DEFAULT_MAX_IN_FLIGHT = 1;
/**
 * The span of sequences the producer allows while two or more POST /Data/Batch requests wait at
 * the head of its queue (DISTILLED_API_MAX_IN_FLIGHT when that is larger). Such requests already
 * make batches of hundreds of messages, so a second one in flight costs little per message
 * (8 writers x 100: ~290 messages per record batch instead of ~400) and saves half the writers a
 * whole commit round trip of waiting (bench/RESULTS.md, "Batches of 100").
 */
export const BATCH_REQUESTS_IN_FLIGHT = 2;
export const MAX_IN_FLIGHT_LIMIT = 5;

/**
 * JSON escaping can make a message of N bytes up to 6N bytes of body (`\u0001` for each control
 * byte), so the HTTP body limit sits well above the message limit: the message limit is what
 * answers 413 with a clear sentence, the body limit only stops abuse.
 */
export const BODY_LIMIT_FACTOR = 6;
export const BODY_LIMIT_SLACK_BYTES = 64 * 1024;

/**
 * The deepest nesting of arrays and objects a request body may have. The API's bodies need two
 * levels ({"messages": [...]}); the limit keeps every recursive step after JSON.parse
 * (class-transformer, class-validator, logging) far from the stack's end, and JSON.parse itself
 * from spending seconds on a body of brackets.
 */
export const MAX_JSON_DEPTH = 32;
/**
 * Fields of any one object in a body, and JSON values in a whole body (see json-structure.ts):
 * JSON.parse spends ~11 µs per key and ~0.5 µs per array element, and class-transformer far
 * more per unknown field, so these keep one request's parsing and validation to milliseconds.
 */
export const MAX_JSON_OBJECT_FIELDS = 64;
export const MAX_JSON_VALUES = 10_100;

/** A coalesced Append carries at most this many messages / bytes (apps/api README, "Writes"). */
export const MAX_BATCH_MESSAGES = 1000;
export const MAX_BATCH_BYTES = 4 * 1024 * 1024;

/** Waiting between write attempts when no leader can take the batch: grows to the cap. */
/**
 * An attempt is not started with less time than this left before the write's deadline: one
 * that times out counts as "maybe stored" (504), so sending with a few milliseconds left would
 * turn a write that was provably never stored into an unknown outcome.
 */
export const MIN_ATTEMPT_MS = 100;
export const RETRY_BACKOFF_INITIAL_MS = 20;
export const RETRY_BACKOFF_MAX_MS = 250;

/** Concurrent GETs coalesced into one ReadBatch call at most (replicas take up to 10,000). */
export const MAX_READ_BATCH_OFFSETS = 1000;

/** One Read or Status call to one replica; an unreachable replica costs at most this. */
export const READ_CALL_TIMEOUT_MS = 1500;
export const STATUS_CALL_TIMEOUT_MS = 1000;

/** Seconds a client is told to wait after a 503. */
export const RETRY_AFTER_SECONDS = 1;

/**
 * Slow and idle clients (DISTILLED_API_*_TIMEOUT_MS, DISTILLED_API_MAX_CONNECTIONS; see
 * http/connection-limits.ts). A request whose headers, or whole request, take longer gets 408.
 * The keep-alive default is Fastify's: above the 60 s idle timeout of common load balancers, so
 * the API never closes a connection a balancer is about to reuse.
 */
export const DEFAULT_HEADERS_TIMEOUT_MS = 10_000;
export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;
export const DEFAULT_KEEPALIVE_TIMEOUT_MS = 72_000;
/**
 * Open connections at most: room for the 1,000 idle SSE followers issue 14 promises plus ordinary
 * clients many times over. An idle follower costs the API ~12 KiB of RSS (bench/README.md,
 * readers), so 10,000 connections hold ~120 MiB at worst; each is one file descriptor, and Node
 * raises its soft descriptor limit to the hard one at start, which is 20,000 on our machines,
 * 524,288 under systemd and in Docker's containers: keep the cap below `ulimit -Hn` minus a few
 * hundred (gRPC channels, etcd, files), or the API meets EMFILE before its own cap.
 */
export const DEFAULT_MAX_CONNECTIONS = 10_000;

/** The largest offset a JSON number can carry exactly. */
export const MAX_OFFSET = Number.MAX_SAFE_INTEGER;

/** GET /Data/Range bounds and defaults (DESIGN.md part A, "HTTP API, part 2"). */
export const RANGE_DEFAULT_LIMIT = 100;
export const RANGE_MAX_LIMIT = 10_000;
export const RANGE_DEFAULT_MAX_BYTES = 1024 * 1024;
export const RANGE_MAX_BYTES = 16 * 1024 * 1024;
export const RANGE_MAX_WAIT_SECONDS = 60;

/**
 * Range read-ahead (follow/range-read-ahead.ts): message bytes held per API process at most (a
 * page larger than this is never held), how long a page read ahead may wait for its reader (a
 * drain asks within a millisecond or so; retention's 410 is decided within ~10 s anyway), and
 * read-aheads in flight at most (a burst of random full-page reads must not double the replicas'
 * load without bound).
 */
export const RANGE_READ_AHEAD_MAX_BYTES = 32 * 1024 * 1024;
export const RANGE_READ_AHEAD_TTL_MS = 2000;
export const RANGE_READ_AHEAD_MAX_IN_FLIGHT = 8;

/**
 * GET /Data/Stream's shared feed (follow/): the ring of recent events every stream at the tail
 * reads from. 100,000 events or 64 MiB, whichever is reached first: a few seconds of the fastest
 * write rate, so a stream that pauses briefly stays on the ring.
 */
export const FEED_RING_MESSAGES = 100_000;
export const FEED_RING_BYTES = 64 * 1024 * 1024;
/** A Follow stream silent this long (replicas send a heartbeat every second) is dead. */
export const FEED_SILENCE_MS = 3000;
/** A feed that has not reached the leader's committed end of this long ago is stuck. */
export const FEED_LAG_LIMIT_MS = 2000;
/** Waits between attempts to (re)open the feed: first and longest. */
export const FEED_BACKOFF_MIN_MS = 20;
export const FEED_BACKOFF_MAX_MS = 1000;
/** The feed stops (and forgets its ring) once no stream has used it for this long. */
export const FEED_IDLE_STOP_MS = 30_000;
/** Bytes one stream writes to its socket at once (then waits for it to drain if it is full). */
export const STREAM_WRITE_CHUNK_BYTES = 64 * 1024;
/** A stream behind the ring reads pages of this many messages / bytes. */
export const STREAM_CATCH_UP_LIMIT = 10_000;
export const STREAM_CATCH_UP_BYTES = 256 * 1024;
/** Range reads of streams catching up at once, across the API (each holds one page). */
export const STREAM_CATCH_UP_CONCURRENCY = 16;
/** A stream writes a comment after this long without an event (the contract says <= 15 s). */
export const STREAM_KEEP_ALIVE_MS = 10_000;
/** The `retry` field: browsers reconnect this soon after a dropped stream. */
export const STREAM_RETRY_MS = 1000;
/**
 * How long a write keeps retrying while the leader answers "disk full" before it is answered
 * 507: a full leader with an in-sync replica with room hands over well within it.
 */
export const DISK_FULL_PATIENCE_MS = 2000;
