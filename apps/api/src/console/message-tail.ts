import { describeError } from '@distilled/common';
import { TAIL_PREVIEW_CHARS, TAIL_SIZE } from './console.constants';
import type { TailMessage } from '@distilled/console-frames';

/** Reads one committed message; the API's ReplicaReader.read fits. */
export type ReadCommitted = (offset: number) => Promise<{ offset: number; message: Buffer }>;

/**
 * The newest few committed messages, for the console's tail. When the committed end moves the
 * newest offsets are read through the reader (it sends the reads of one turn together as one
 * ReadBatch). GET /Data/Stream's shared FollowFeed (follow/) could feed this instead, but its
 * ring holds encoded SSE events and it runs only while streams use it; switching is this one
 * module, keeping the same `list()`.
 * One read at a time: a tick that comes while one is running is skipped, the next catches up.
 */
export class MessageTail {
  private messages: TailMessage[] = [];
  private readEnd = 0;
  private reading = false;
  private lastError: string | null = null;

  constructor(
    private readonly read: ReadCommitted,
    private readonly size = TAIL_SIZE,
  ) {}

  /** Reads what was committed below `committedEnd` and is not held yet (the newest `size`). */
  async follow(committedEnd: number, logStart = 0): Promise<void> {
    if (this.reading || committedEnd <= this.readEnd) return;
    this.reading = true;
    try {
      const from = Math.max(this.readEnd, committedEnd - this.size, logStart);
      const offsets = Array.from({ length: committedEnd - from }, (_, i) => from + i);
      const read = await Promise.all(offsets.map((offset) => this.read(offset)));
      const fresh = read.map(({ offset, message }) => preview(offset, message)).reverse();
      this.messages = [...fresh, ...this.messages].slice(0, this.size);
      this.readEnd = committedEnd;
      this.lastError = null;
    } catch (error) {
      this.lastError = `The newest messages could not be read: ${describeError(error)}`;
    } finally {
      this.reading = false;
    }
  }

  /** Newest first. */
  list(): TailMessage[] {
    return [...this.messages];
  }

  error(): string | null {
    return this.lastError;
  }
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
