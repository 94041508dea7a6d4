import { Injectable } from '@nestjs/common';
import {
  RANGE_READ_AHEAD_MAX_BYTES,
  RANGE_READ_AHEAD_MAX_IN_FLIGHT,
  RANGE_READ_AHEAD_TTL_MS,
} from '../constants';
import { RangeReader, type RangePage, type RangeRequest } from './range-reader';

export interface ReadAheadLimits {
  /** Message bytes held at most; the oldest pages go first. */
  maxBytes: number;
  /** A page not asked for within this long after its read started is dropped. */
  ttlMs: number;
  /** Read-aheads in flight at most; past it, none is started. */
  maxInFlight: number;
}

export interface ReadAheadCounts {
  /** Range requests answered with a page read ahead. */
  hits: number;
  /** Range requests read from a replica (nothing held for them, or the held read failed). */
  misses: number;
  /** Pages read ahead and dropped unread (age, the byte bound, or retention's log start). */
  dropped: number;
  /** Message bytes held now. */
  heldBytes: number;
}

/** One page read ahead: its read, then what it holds. */
interface Held {
  /** Settles with the page, or null when the read failed or found nothing to hold. */
  page: Promise<RangePage | null>;
  arrived: boolean;
  /** Message bytes, once the page arrived. */
  bytes: number;
  startedAt: number;
  served: boolean;
}

/**
 * GET /Data/Range's read-ahead: a drain asks for page after page, and without this each page
 * waits for the replica's read and the API's decode after the reader asked for it, while the
 * reader and the API then idle on each other. When a page comes back with committed messages
 * beyond it (nextOffset below endOffset), the next page (same limit and maxBytes) is read at
 * once, so it is ready, or on its way, when the reader asks.
 *
 * What a reader sees does not change: a held page is exactly what a replica answered for that
 * request (committed messages are immutable, so a replica that failed since does not matter),
 * and an answer at or past the end of the log (empty, a long-poll's) is never held. Retention is
 * the exception to immutability: a page below the newest log start the API has seen is dropped
 * instead of served, so a reader still gets 410 as it would without the read-ahead; the short
 * time-to-live bounds how late the API can learn of it. A page leaves once served. Bounded:
 * bytes held, age, reads in flight. A failed read-ahead is forgotten; the reader's own read then asks a replica as always.
 */
@Injectable()
export class RangeReadAhead {
  limits: ReadAheadLimits = {
    maxBytes: RANGE_READ_AHEAD_MAX_BYTES,
    ttlMs: RANGE_READ_AHEAD_TTL_MS,
    maxInFlight: RANGE_READ_AHEAD_MAX_IN_FLIGHT,
  };
  /** Milliseconds now (specs replace it). */
  now: () => number = Date.now;

  /** By request key, oldest first (a Map keeps insertion order). */
  private readonly held = new Map<string, Held>();
  private heldBytes = 0;
  private inFlight = 0;
  private hits = 0;
  private misses = 0;
  private dropped = 0;
  private sweepTimer: NodeJS.Timeout | null = null;

  constructor(private readonly reader: RangeReader) {}

  counts(): ReadAheadCounts {
    return {
      hits: this.hits,
      misses: this.misses,
      dropped: this.dropped,
      heldBytes: this.heldBytes,
    };
  }

  async read(request: RangeRequest): Promise<RangePage> {
    this.dropExpired();
    let page = await this.heldPage(request);
    if (page === null) {
      this.misses += 1;
      page = await this.reader.read(request);
    } else {
      this.hits += 1;
    }
    this.readNext(request, page);
    return page;
  }

  /** The page held (or being read ahead) for exactly this request, if it may still be served. */
  private async heldPage(request: RangeRequest): Promise<RangePage | null> {
    const key = keyOf(request.offset, request.limit, request.maxBytes);
    const held = this.held.get(key);
    if (held === undefined) return null;
    const page = await held.page;
    if (page === null) return null;
    if (page.offset < this.reader.logStart) {
      // Retention deleted it since: the reader must get the 410 a replica gives.
      this.drop(key, held);
      return null;
    }
    // Served: a drain never asks for the same page again, so it leaves now (readers already
    // waiting on its read got it too). Kept longer, a reader going over the same messages
    // again within the time-to-live would be served by this process's memory, not the log.
    held.served = true;
    this.drop(key, held);
    return page;
  }

  /** Starts reading the page after `page`, when there is one committed and it is not held yet. */
  private readNext(request: RangeRequest, page: RangePage): void {
    const next = page.offset + page.messages.length;
    if (page.messages.length === 0 || next >= page.endOffset) return;
    if (this.inFlight >= this.limits.maxInFlight) return;
    const key = keyOf(next, request.limit, request.maxBytes);
    if (this.held.has(key)) return;
    const held: Held = {
      page: Promise.resolve(null),
      arrived: false,
      bytes: 0,
      startedAt: this.now(),
      served: false,
    };
    this.inFlight += 1;
    held.page = this.reader
      .read({ offset: next, limit: request.limit, maxBytes: request.maxBytes, waitMs: 0 })
      .then(
        (answer) => this.arrived(key, held, answer),
        () => this.failed(key, held),
      );
    this.held.set(key, held);
    this.scheduleSweep();
  }

  private arrived(key: string, held: Held, page: RangePage): RangePage | null {
    this.inFlight -= 1;
    if (this.held.get(key) !== held) return page; // dropped meanwhile; a waiting reader may use it
    if (page.messages.length === 0) {
      this.held.delete(key);
      return null;
    }
    let bytes = 0;
    for (const message of page.messages) bytes += message.length;
    held.arrived = true;
    held.bytes = bytes;
    this.heldBytes += bytes;
    // Oldest first (reads still in flight hold nothing yet), this page too when it alone passes.
    for (const [oldKey, old] of this.held) {
      if (this.heldBytes <= this.limits.maxBytes) break;
      if (old.arrived) this.drop(oldKey, old);
    }
    return page;
  }

  private failed(key: string, held: Held): null {
    this.inFlight -= 1;
    if (this.held.get(key) === held) this.held.delete(key);
    return null;
  }

  private drop(key: string, held: Held): void {
    if (this.held.get(key) !== held) return;
    this.held.delete(key);
    this.heldBytes -= held.bytes;
    if (!held.served) this.dropped += 1;
  }

  private dropExpired(): void {
    const oldest = this.now() - this.limits.ttlMs;
    for (const [key, held] of this.held) {
      if (held.startedAt > oldest) break; // started in order: the rest are younger
      this.drop(key, held);
    }
  }

  /** An idle API gives its held pages back after their time-to-live, too. */
  private scheduleSweep(): void {
    if (this.sweepTimer !== null) return;
    this.sweepTimer = setTimeout(() => {
      this.sweepTimer = null;
      this.dropExpired();
      if (this.held.size > 0) this.scheduleSweep();
    }, this.limits.ttlMs);
    this.sweepTimer.unref();
  }
}

function keyOf(offset: number, limit: number, maxBytes: number): string {
  return `${offset}/${limit}/${maxBytes}`;
}
