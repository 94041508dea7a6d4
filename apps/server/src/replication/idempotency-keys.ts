/**
 * The leader's memory of Idempotency-Keys (apps/server/README.md, "Idempotency-Key and
 * Expected-Offset"): for each key, the hash of the request that first used it and where its record
 * batch sits in the log, so a retry is answered with the original offsets instead of being appended
 * again.
 *
 * Nothing here is the source of truth: every key is in the extension section of its record
 * batch, replicated with it. A new leader fills a fresh table from its own log (key-table-scan)
 * and then from its own appends, so it answers a retry exactly as the old leader would have.
 *
 * Two maps: `writing` holds keys whose batch is on its way into the log (offsets unknown); once
 * written, a key moves to `written` with its offsets, and counts as committed as soon as the
 * high watermark passes its end. Bounded: at most `maxKeys` written keys, the oldest (in log
 * order, which is also time order) forgotten first; a key older than `windowMs` is forgotten
 * too. `writing` holds at most the appends in flight.
 *
 * Concurrency: owned by one LeaderTerm; plain synchronous map updates on the event loop, so a
 * check and the `begin` that follows it cannot interleave with another request.
 */
import type { IdempotencyTag } from '@distilled/log-store';

interface WrittenKey {
  key: string;
  /** The request hash, as a latin1 string (one byte per character: compact, comparable). */
  hash: string;
  baseOffset: number;
  count: number;
  /** When the leader appended it (ms since 1970): the window counts from here. */
  timestamp: number;
}

/** How many inserts pass between two sweeps of expired keys. */
const SWEEP_EVERY = 1024;
/** Entries the log-order queue may have consumed at its front before it is cut down. */
const COMPACT_AFTER = 4096;

export type KeyCheck =
  | { kind: 'new' }
  | { kind: 'replay'; baseOffset: number; count: number }
  /** Written or being written, not committed yet: its outcome is not known. */
  | { kind: 'in-flight' }
  /** Held for a request with another body. */
  | { kind: 'mismatch' };

export interface IdempotencyKeyTableOptions {
  maxKeys: number;
  windowMs: number;
}

export class IdempotencyKeyTable {
  private readonly writing = new Map<string, string>();
  private readonly written = new Map<string, WrittenKey>();
  /**
   * Written entries in log order, oldest from `head` on: eviction and the window sweep take the
   * oldest from here, not from the front of `written`. Deleting from the front of a Map leaves
   * holes that V8 skips one by one on every new iteration until its next rehash, so once the
   * table was full, each insert's "oldest key" walked up to maxKeys holes (~50 µs per keyed
   * append at 100,000 keys, growing with the table). An entry whose key was since deleted or
   * remembered again is stale (`written` no longer holds that object) and is skipped.
   */
  private queue: WrittenKey[] = [];
  private head = 0;

  constructor(private readonly options: IdempotencyKeyTableOptions) {}

  /** Written keys remembered (not counting those being written). */
  get size(): number {
    return this.written.size;
  }

  /**
   * What a request with `tag` should get at `now`, given the leader's high watermark. Another
   * hash is a mismatch whatever the first request's state: reusing a key for another body is
   * the client's mistake, and retrying will not fix it.
   */
  check(tag: IdempotencyTag, highWatermark: number, now: number): KeyCheck {
    const hash = tag.hash.toString('latin1');
    const writing = this.writing.get(tag.key);
    if (writing !== undefined)
      return writing === hash ? { kind: 'in-flight' } : { kind: 'mismatch' };
    const entry = this.written.get(tag.key);
    if (!entry) return { kind: 'new' };
    if (now - entry.timestamp > this.options.windowMs) {
      this.written.delete(tag.key);
      return { kind: 'new' };
    }
    if (entry.hash !== hash) return { kind: 'mismatch' };
    if (entry.baseOffset + entry.count > highWatermark) return { kind: 'in-flight' };
    return { kind: 'replay', baseOffset: entry.baseOffset, count: entry.count };
  }

  /** The key's batch is being appended: later requests with it wait for its outcome. */
  begin(tag: IdempotencyTag): void {
    this.writing.set(tag.key, tag.hash.toString('latin1'));
  }

  /** The append failed before it was written (nothing stored): the key is free again. */
  abandon(tag: IdempotencyTag): void {
    this.writing.delete(tag.key);
  }

  /** The key's batch is in the log at these offsets (from an append, or found by the scan). */
  remember(tag: IdempotencyTag, baseOffset: number, count: number, timestamp: number): void {
    this.writing.delete(tag.key);
    // A key remembered again replaces its entry; the old one's place in the queue goes stale.
    const entry: WrittenKey = {
      key: tag.key,
      hash: tag.hash.toString('latin1'),
      baseOffset,
      count,
      timestamp,
    };
    this.written.set(tag.key, entry);
    this.queue.push(entry);
    this.evict(timestamp);
  }

  /** Inserts since the last sweep of keys past the window. */
  private sinceSweep = 0;

  /**
   * Over maxKeys: the oldest goes. Keys past the window are swept from the front every so
   * often (and dropped by check() when met), not on every insert: that walk is the scan's cost.
   */
  private evict(now: number): void {
    const { maxKeys, windowMs } = this.options;
    if (this.written.size > maxKeys) {
      const oldest = this.oldest();
      if (oldest) this.forgetOldest(oldest);
    }
    if (++this.sinceSweep >= SWEEP_EVERY) {
      this.sinceSweep = 0;
      for (let oldest = this.oldest(); oldest; oldest = this.oldest()) {
        if (now - oldest.timestamp <= windowMs) break;
        this.forgetOldest(oldest);
      }
    }
    this.compact();
  }

  /** The oldest written entry still held, skipping stale ones; undefined when none is. */
  private oldest(): WrittenKey | undefined {
    while (this.head < this.queue.length) {
      const entry = this.queue[this.head];
      if (this.written.get(entry.key) === entry) return entry;
      this.head += 1;
    }
    return undefined;
  }

  private forgetOldest(entry: WrittenKey): void {
    this.written.delete(entry.key);
    this.head += 1;
  }

  /**
   * Drops the consumed front of the queue once it is large, and the stale entries when they
   * outnumber the held ones, so the queue stays within a small multiple of the table.
   */
  private compact(): void {
    const length = this.queue.length - this.head;
    if (length > 2 * this.written.size + COMPACT_AFTER) {
      this.queue = this.queue
        .slice(this.head)
        .filter((entry) => this.written.get(entry.key) === entry);
      this.head = 0;
    } else if (this.head > COMPACT_AFTER && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
  }
}
