import { ApiProblem } from '../problems';
import type { RangePage } from './range-reader';
import type { JoinedEvents, MessageRing } from './message-ring';
import { messageEvents } from './sse-event';

/** The socket side of a stream: what an http.ServerResponse offers, narrowed for specs. */
export interface EventSink {
  write(chunk: string | Buffer): boolean;
  readonly writableNeedDrain: boolean;
  readonly writableLength: number;
  once(event: 'drain' | 'close', listener: () => void): unknown;
  off(event: 'drain' | 'close', listener: () => void): unknown;
}

/** The feed as a stream sees it. */
export interface TailFeed {
  readonly ring: MessageRing;
  readonly anchored: boolean;
  join(listener: () => void): () => void;
}

/** Reads a page of committed messages from `offset`, for a stream behind the ring. */
export type CatchUpRead = (offset: number) => Promise<RangePage>;

export interface StreamConnectionOptions {
  chunkBytes: number;
  /** Waits after a failed or empty catch-up read, doubling up to the last. */
  retryMs: readonly [number, number];
  now?: () => number;
  /** Called once, when the connection closes (for whatever reason). */
  onClose?: () => void;
}

/**
 * One SSE client of GET /Data/Stream: delivers offsets next, next+1, ... exactly once each, in
 * order, from the shared ring when it holds them and by range reads when the client is behind
 * it. Writes only while the socket is drained: a client that stops reading holds at most one
 * chunk in its socket buffer and its position, never a backlog, and costs the others nothing
 * (they read the ring on their own). One pump loop per connection, woken by the feed.
 */
export class StreamConnection {
  /** The next offset this client gets. */
  next: number;
  /** When something (event or comment) was last written. */
  lastWriteAt: number;
  /** Events written to this client. */
  delivered = 0;
  /** True while it reads by range, behind the ring. */
  catchingUp = false;
  private closed = false;
  private pumping = false;
  private kicked = false;
  /** Set while the pump waits for the feed. */
  private onKick: (() => void) | null = null;
  /** Set while the pump waits for anything: close() ends the wait. */
  private onClose: (() => void) | null = null;
  private leave: (() => void) | null = null;
  private readonly now: () => number;
  /** A catch-up page read ahead while the previous one is written. */
  private prefetched: { offset: number; page: Promise<RangePage | null> } | null = null;

  constructor(
    private readonly sink: EventSink,
    start: number,
    private readonly feed: TailFeed,
    private readonly catchUp: CatchUpRead,
    private readonly options: StreamConnectionOptions,
  ) {
    this.next = start;
    this.now = options.now ?? Date.now;
    this.lastWriteAt = this.now();
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Bytes written to the socket and not yet taken by the client's TCP window. */
  get bufferedBytes(): number {
    return this.sink.writableLength;
  }

  start(): void {
    this.leave = this.feed.join(() => this.kick());
    this.kick();
  }

  /** Stops delivering (the client went away or the API stops). */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.leave?.();
    this.leave = null;
    this.onClose?.();
    this.options.onClose?.();
  }

  /** Writes a comment when nothing was written for `idleMs` and the socket is drained. */
  keepAlive(comment: string, idleMs: number): void {
    if (this.closed || this.sink.writableNeedDrain) return;
    if (this.now() - this.lastWriteAt < idleMs) return;
    this.sink.write(comment);
    this.lastWriteAt = this.now();
  }

  private kick(): void {
    if (this.closed) return;
    this.kicked = true;
    if (this.onKick) this.onKick();
    else if (!this.pumping) void this.pump();
  }

  private async pump(): Promise<void> {
    this.pumping = true;
    let retry = this.options.retryMs[0];
    try {
      while (!this.closed) {
        this.kicked = false;
        if (this.sink.writableNeedDrain) {
          await this.until('drain');
          continue;
        }
        const ring = this.feed.ring;
        if (this.next >= ring.start && this.next < ring.end) {
          this.catchingUp = false;
          this.writeEvents(ring.readJoined(this.next, this.options.chunkBytes)!);
          continue;
        }
        if (this.feed.anchored && this.next < ring.start) {
          this.catchingUp = true;
          const page = await this.readPage(this.next);
          if (this.closed) return;
          if (page && page.offset === this.next && page.messages.length > 0) {
            retry = this.options.retryMs[0];
            // The next page is read while this one is written (one page ahead, no more).
            const after = this.next + page.messages.length;
            if (after < this.feed.ring.start) this.prefetched = this.fetch(after);
            this.writePage(page);
            continue;
          }
          // A failed read (no replica could answer) or nothing there yet (a new leader whose
          // high watermark is still behind): try again shortly; the connection lives on.
          await this.sleep(retry);
          retry = Math.min(retry * 2, this.options.retryMs[1]);
          continue;
        }
        this.catchingUp = false;
        if (!this.kicked) await this.until(null);
      }
    } finally {
      this.pumping = false;
    }
  }

  /** The page at `offset`: the one read ahead when it is for `offset`, else a new read. */
  private readPage(offset: number): Promise<RangePage | null> {
    const ahead = this.prefetched;
    this.prefetched = null;
    if (ahead && ahead.offset === offset) return ahead.page;
    return this.fetch(offset).page;
  }

  private fetch(offset: number): { offset: number; page: Promise<RangePage | null> } {
    return {
      offset,
      page: this.catchUp(offset).catch((error: unknown) => {
        // Retention deleted where this client is: end the stream, so that its reconnect (with
        // Last-Event-ID) is answered 410 with the log's new start instead of waiting forever.
        if (error instanceof ApiProblem && error.problem.status === 410) this.close();
        return null;
      }),
    };
  }

  /** One write: the joined bytes are shared by every stream at the same offset. */
  private writeEvents(events: JoinedEvents): void {
    this.sink.write(events.bytes);
    this.next += events.count;
    this.delivered += events.count;
    this.lastWriteAt = this.now();
  }

  private writePage(page: RangePage): void {
    // Bytes, not a string: the socket would flatten and encode a page-long string again.
    this.sink.write(messageEvents(page.offset, page.messages));
    this.next += page.messages.length;
    this.delivered += page.messages.length;
    this.lastWriteAt = this.now();
  }

  /** Resolves on `event` from the socket (or, for null, the next kick), or when closed. */
  private until(event: 'drain' | null): Promise<void> {
    return new Promise<void>((resolve) => {
      const done = (): void => {
        this.onKick = this.onClose = null;
        if (event) this.sink.off(event, done);
        resolve();
      };
      this.onClose = done;
      if (event) this.sink.once(event, done);
      else this.onKick = done;
    });
  }

  /** Resolves after `ms`, or when closed; kicks do not cut it short (a failing read must not spin). */
  private sleep(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.onClose = null;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.onClose = done;
    });
  }
}
