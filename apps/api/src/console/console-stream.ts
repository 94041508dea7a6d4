/** Where one client's frames go: the raw HTTP response in the API, an array in specs. */
export interface FrameSink {
  write(chunk: string): boolean;
  /** Node's Writable flag: the previous writes have not reached the socket yet. */
  readonly writableNeedDrain: boolean;
  end(): void;
}

/** One tick's frames, each serialized at most once and shared by every client. */
export interface EncodedFrames {
  snapshot(): string;
  update(): string;
}

/** An SSE event: JSON never holds a raw newline, so one data line always suffices. */
export function sseEvent(event: string, data: unknown): string {
  return `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}

/**
 * One browser tab's stream. A client that has not taken the last frame (its socket buffer is
 * full) is skipped instead of queued, so the API holds at most one frame per slow client; the
 * frame it gets next is a full snapshot, so nothing it shows goes wrong by the skip.
 */
export class ConsoleStream {
  private needsSnapshot = true;
  private closed = false;
  skipped = 0;

  constructor(private readonly sink: FrameSink) {}

  push(frames: EncodedFrames): 'sent' | 'skipped' | 'closed' {
    if (this.closed) return 'closed';
    if (this.sink.writableNeedDrain) {
      this.needsSnapshot = true;
      this.skipped += 1;
      return 'skipped';
    }
    this.sink.write(this.needsSnapshot ? frames.snapshot() : frames.update());
    this.needsSnapshot = false;
    return 'sent';
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.sink.end();
  }
}
