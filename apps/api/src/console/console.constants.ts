/** Fixed sizes and periods of the console's shared feed (GET /ui/events). */

/** One tick of the shared feed: sample the metrics, poll the replicas, push a frame. */
export const FEED_TICK_MS = 1000;
/** Traffic samples kept (one per tick): five minutes for the chart. */
export const TRAFFIC_HISTORY_SAMPLES = 300;
/** Percentiles are computed over this many seconds of requests. */
export const LATENCY_WINDOW_SECONDS = 10;
export const LEADER_HISTORY_SIZE = 50;
/** How long after a change of leader its reason may still be learnt (leases last ~2 s). */
export const REASON_REFINE_MS = 10_000;
/** Newest committed messages shown, and how much of each. */
export const TAIL_SIZE = 10;
export const TAIL_PREVIEW_CHARS = 200;
/**
 * A frame waits this long for the tail's read below the shared feed's ring (one Range read when
 * the feed starts: a few ms); a slower one shows next tick.
 */
export const TAIL_WAIT_MS = 300;
/** That read's byte bound: room for TAIL_SIZE messages of the default 1 MiB limit. */
export const TAIL_READ_MAX_BYTES = 16 * 1024 * 1024;
/** A replica neither registered nor in the ISR is shown as departed this long, then forgotten. */
export const DEPARTED_FORGET_MS = 10 * 60 * 1000;
/** Streams open at once; more get 503 (each costs a socket and a frame per tick). */
export const MAX_CONSOLE_CLIENTS = 100;
