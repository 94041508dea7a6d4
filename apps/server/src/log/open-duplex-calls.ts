/**
 * The open duplex calls of one streaming service (AppendStream, ReadRangeStream): which are
 * still open, so a stopping replica can end them all, and the guarded write and end both need,
 * because a client may cancel between any check and the next write.
 */

/** What both services' grpc-js ServerDuplexStreams have in common, all that is used here. */
export interface DuplexCall<Response> {
  readonly cancelled: boolean;
  readonly destroyed: boolean;
  readonly writableEnded: boolean;
  write(response: Response): boolean;
  end(): void;
  on(event: 'cancelled' | 'error' | 'close', listener: () => void): unknown;
}

export class OpenDuplexCalls<Response, Call extends DuplexCall<Response>> {
  private readonly open = new Set<Call>();

  get size(): number {
    return this.open.size;
  }

  /** Tracks `call` until it is cancelled, fails, closes, or is finished here. */
  add(call: Call): void {
    this.open.add(call);
    const forget = () => this.open.delete(call);
    call.on('cancelled', forget);
    call.on('error', forget);
    call.on('close', forget);
  }

  /**
   * Ends `call` once, after its last answer (the client ended its side): false when it was
   * already finished or gone.
   */
  finish(call: Call): boolean {
    if (!this.open.delete(call)) return false;
    endQuietly(call);
    return true;
  }

  /** Ends every open call (the replica is stopping). */
  closeAll(): void {
    for (const call of this.open) endQuietly(call);
    this.open.clear();
  }
}

export function writeQuietly<Response>(call: DuplexCall<Response>, response: Response): void {
  if (call.cancelled || call.destroyed || call.writableEnded) return;
  try {
    call.write(response);
  } catch {
    // The client went away between the check and the write: nobody is left to answer.
  }
}

function endQuietly<Response>(call: DuplexCall<Response>): void {
  if (call.cancelled || call.destroyed || call.writableEnded) return;
  try {
    call.end();
  } catch {
    // Already cancelled by the client.
  }
}
