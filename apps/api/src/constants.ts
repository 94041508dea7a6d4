/** Defaults and fixed limits of the HTTP API. Configurable values are in config/. */

export const DEFAULT_API_HOST = '0.0.0.0';
export const DEFAULT_API_PORT = 5000;
export const DEFAULT_ETCD = 'http://127.0.0.1:2379';
export const DEFAULT_CLUSTER = 'distilled';
/** 1 MiB of UTF-8, DESIGN.md part A. */
export const DEFAULT_MAX_MESSAGE_BYTES = 1024 * 1024;
export const DEFAULT_WRITE_TIMEOUT_MS = 5000;
/**
 * Independent idempotent producers per API process (DISTILLED_API_PRODUCERS): each has its own
 * producer id and sequence and at most one batch in flight, so up to this many Appends run at
 * once while every retry stays as safe as with one. Default 1: measured on 2 cores with 3
 * replicas, 4 producers cut POST throughput at 64 connections by ~35% (smaller batches, and the
 * replicas' cost is mostly per batch: gRPC calls, fetch round trips, fsyncs), so more only pays
 * where the replicas have CPU to spare and the round trip dominates.
 */
export const DEFAULT_PRODUCERS = 1;

/**
 * JSON escaping can make a message of N bytes up to 6N bytes of body (`\u0001` for each control
 * byte), so the HTTP body limit sits well above the message limit: the message limit is what
 * answers 413 with a clear sentence, the body limit only stops abuse.
 */
export const BODY_LIMIT_FACTOR = 6;
export const BODY_LIMIT_SLACK_BYTES = 64 * 1024;

/** A coalesced Append carries at most this many messages / bytes (DESIGN.md B.4). */
export const MAX_BATCH_MESSAGES = 1000;
export const MAX_BATCH_BYTES = 4 * 1024 * 1024;

/** Waiting between write attempts when no leader can take the batch: grows to the cap. */
export const RETRY_BACKOFF_INITIAL_MS = 20;
export const RETRY_BACKOFF_MAX_MS = 250;

/** Concurrent GETs coalesced into one ReadBatch call at most (replicas take up to 10,000). */
export const MAX_READ_BATCH_OFFSETS = 1000;

/** One Read or Status call to one replica; an unreachable replica costs at most this. */
export const READ_CALL_TIMEOUT_MS = 1500;
export const STATUS_CALL_TIMEOUT_MS = 1000;

/** Seconds a client is told to wait after a 503. */
export const RETRY_AFTER_SECONDS = 1;

/** Whole-request limit: a client that trickles its request for longer gets 408. */
export const REQUEST_TIMEOUT_MS = 30_000;

/** The largest offset a JSON number can carry exactly. */
export const MAX_OFFSET = Number.MAX_SAFE_INTEGER;

/** gRPC message size cap: a full batch plus headroom. */
export const GRPC_MAX_MESSAGE_BYTES = 64 * 1024 * 1024;
