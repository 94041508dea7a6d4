import { describeError } from '@distilled/common';
import { TAIL_PREVIEW_CHARS, TAIL_SIZE } from './console.constants';
import type { TailMessage } from '@distilled/console-frames';

/** What the tail needs of follow/FollowFeed: its ring of encoded events and a way to keep it running. */
export interface TailFeed {
  readonly anchored: boolean;
  readonly ring: {
    readonly start: number;
    readonly end: number;
    read(offset: number, maxBytes: number): Buffer[];
  };
  join(listener: () => void): () => void;
}

/** Reads up to `limit` committed messages from `offset`, in order (RangeReader.read fits). */
export type ReadCommitted = (offset: number, limit: number) => Promise<Buffer[]>;

/**
 * The console's newest few messages, from GET /Data/Stream's shared feed (follow/FollowFeed).
 * While a console is open the tail keeps that feed running and reads the newest events of its
 * ring at each tick, so however fast the log grows and however many consoles and streams are
 * open, the replicas serve the API one Follow stream and no reads for the console. Right after
 * the feed starts its ring holds only what was committed since; the rest of the tail comes from
 * one Range read below the ring's start, once per ring start (committed messages never change).
 */
export class MessageTail {
  private leaveFeed: (() => void) | null = null;
  /** The messages just below the ring's start `olderBelow`, newest first. */
  private older: TailMessage[] = [];
  private olderBelow: number | null = null;
  private reading = false;
  private lastError: string | null = null;

  constructor(
    private readonly feed: TailFeed,
    private readonly readCommitted: ReadCommitted,
    private readonly size = TAIL_SIZE,
  ) {}

  /** Keeps the shared feed running; call while at least one console is open (idempotent). */
  watch(): void {
    this.leaveFeed ??= this.feed.join(() => undefined);
  }

  /** Lets the feed stop once nothing else follows it (the last console closed). */
  unwatch(): void {
    this.leaveFeed?.();
    this.leaveFeed = null;
    this.older = [];
    this.olderBelow = null;
    this.lastError = null;
  }

  /**
   * When the ring holds fewer than `size` messages, reads the rest from just below its start
   * (never below `logStart`), once per ring start. One read at a time.
   */
  async refresh(logStart = 0): Promise<void> {
    if (!this.feed.anchored || this.reading) return;
    const { start, end } = this.feed.ring;
    const from = Math.max(start - (this.size - Math.min(this.size, end - start)), logStart);
    if (from >= start || this.olderBelow === start) return;
    this.reading = true;
    try {
      const messages = await this.readCommitted(from, start - from);
      this.older = messages.map((message, i) => preview(from + i, message)).reverse();
      this.olderBelow = start;
      this.lastError = null;
    } catch (error) {
      this.lastError = `The newest messages could not be read: ${describeError(error)}`;
    } finally {
      this.reading = false;
    }
  }

  /** Newest first: the ring's newest events, then the ones read below it. */
  list(): TailMessage[] {
    if (!this.feed.anchored) return [];
    const { start, end } = this.feed.ring;
    const from = Math.max(start, end - this.size);
    const fresh = this.feed.ring
      .read(from, Number.MAX_SAFE_INTEGER)
      .map((event, i) => preview(from + i, messageOf(event)))
      .reverse();
    const older = this.olderBelow === start ? this.older : [];
    return [...fresh, ...older].slice(0, this.size);
  }

  error(): string | null {
    return this.lastError;
  }
}

/** The message of one of the ring's events (follow/sse-event.ts: its data line is JSON). */
function messageOf(event: Buffer): Buffer {
  const text = event.toString('utf8');
  const data = text.slice(text.indexOf('\ndata: ') + '\ndata: '.length, text.lastIndexOf('\n\n'));
  return Buffer.from((JSON.parse(data) as { message: string }).message, 'utf8');
}

function preview(offset: number, message: Buffer): TailMessage {
  const text = message.toString('utf8');
  const truncated = text.length > TAIL_PREVIEW_CHARS;
  return {
    offset,
    preview: truncated ? text.slice(0, TAIL_PREVIEW_CHARS) : text,
    bytes: message.length,
    truncated,
  };
}
