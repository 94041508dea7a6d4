import type { ServerDuplexStream } from '@grpc/grpc-js';
import type { FetchRequest, FetchResponse } from '@distilled/proto';
import { LogStoreError, type LogStore } from '@distilled/log-store';
import { FETCH_MAX_BYTES } from '../constants';
import { toGrpcStatus } from '../errors/grpc-status';

export type FetchCall = ServerDuplexStream<FetchRequest, FetchResponse>;

/** What a session needs from the leadership term it belongs to. */
export interface FetchSessionHost {
  readonly epoch: number;
  readonly log: LogStore;
  /** The leader's high watermark right now. */
  highWatermark(): number;
  /** The leader sent this follower a response while its log ended at `leaderLeo`. */
  onResponse(followerId: string, leaderLeo: number): void;
  /** The session ended (either side). */
  onSessionEnd(session: FetchSession): void;
  /** A read for the follower failed; the stream ends with it. */
  onSessionError(session: FetchSession, error: unknown): void;
}

const EMPTY = Buffer.alloc(0);

/**
 * One follower's Fetch stream on the leader. The follower sends a request (its log end
 * offset, which is also its acknowledgement) and gets exactly one response with batches back
 * before it sends the next: at most one batch response in flight, so a slow follower never piles
 * up memory here. A response goes out as soon as there is log past the requested offset, or the
 * HW or log start moved since the last response (so followers learn the HW promptly); otherwise
 * the request waits for wake().
 *
 * A follower that accepts kept requests (FetchRequest.accepts_kept_requests) gets news without
 * batches as a response that keeps its request open (request_kept), and does not ask again
 * after it: a write then costs each follower one request (its acknowledgement) instead of two.
 * Such responses stay bounded: each needs the HW or the log start to have moved since the last
 * one, and neither moves past what the followers acknowledged.
 *
 * News without batches waits for the next turn of the event loop; batches never wait. The HW
 * moves in the turn that settles the appends it commits, so news sent at once would reach the
 * sockets before those answers to the API, putting the followers' wake-ups on every commit's
 * path. Followers serve reads only below their HW, so learning it a turn later is safe.
 */
export class FetchSession {
  /**
   * Set by the Fetch handler from the first request: the follower understands request_kept.
   * Older followers ask again after every response, so they never get a kept one.
   */
  acceptsKeptRequests = false;
  private requested: number | undefined;
  private sentHighWatermark = -1;
  /** The log start last told to the follower: a move is news even when nothing else is. */
  private sentLogStart = -1;
  private sending = false;
  private closed = false;
  /** News without batches due in the next turn (see the class comment). */
  private newsDue?: NodeJS.Immediate;

  constructor(
    readonly followerId: string,
    private readonly call: FetchCall,
    private readonly host: FetchSessionHost,
    /** The follower's data-directory incarnation from its first request ('' from older replicas). */
    readonly incarnation = '',
  ) {}

  get isClosed(): boolean {
    return this.closed;
  }

  /** The follower asks for the log from `offset` (and acknowledges everything below it). */
  onRequest(offset: number): void {
    this.requested = offset;
    this.pump();
  }

  /** New log, HW or log start on the leader: answer a waiting request if there is something new. */
  wake(): void {
    this.pump();
  }

  /** Ends the stream: OK when `error` is absent, else with its gRPC status. */
  close(error?: unknown): void {
    if (this.closed) return;
    this.closed = true;
    this.requested = undefined;
    if (this.newsDue) clearImmediate(this.newsDue);
    try {
      if (error === undefined) this.call.end();
      else this.call.emit('error', toGrpcStatus(error));
    } catch {
      // The call was already cancelled by the follower: nothing left to tell it.
    }
    this.host.onSessionEnd(this);
  }

  private pump(newsNow = false): void {
    if (this.sending || this.closed || this.requested === undefined) return;
    const offset = this.requested;
    // Written batches go out while the leader's own fsync still runs: the two fsyncs (leader,
    // follower) overlap instead of running one after the other. Safe because the HW counts only
    // the leader's synced end and the followers' acknowledged (synced) ends.
    const leaderLeo = this.host.log.writtenEndOffset;
    if (offset >= leaderLeo) {
      const news =
        this.host.highWatermark() > this.sentHighWatermark ||
        this.host.log.logStartOffset > this.sentLogStart;
      if (!news) return;
      if (!newsNow) {
        this.newsDue ??= setImmediate(() => {
          this.newsDue = undefined;
          this.pump(true);
        });
        return;
      }
    }
    this.sending = true;
    void this.send(offset, leaderLeo);
  }

  private async send(offset: number, leaderLeo: number): Promise<void> {
    try {
      const batches = await this.batchesFrom(offset, leaderLeo);
      if (this.closed) return;
      this.sentHighWatermark = this.host.highWatermark();
      this.sentLogStart = this.host.log.logStartOffset;
      // Only news at a valid position keeps the request: below the log start the follower must
      // re-base and ask again from its new log end.
      const kept = this.acceptsKeptRequests && batches.length === 0 && offset >= this.sentLogStart;
      if (!kept && this.requested === offset) this.requested = undefined;
      this.host.onResponse(this.followerId, leaderLeo);
      this.call.write({
        epoch: this.host.epoch,
        high_watermark: this.sentHighWatermark,
        batches,
        leader_log_end_offset: leaderLeo,
        // Below it the follower deletes; a follower whose log ends below it re-bases there.
        log_start_offset: this.sentLogStart,
        request_kept: kept,
      });
    } catch (error) {
      this.host.onSessionError(this, error);
      this.close(error);
    } finally {
      this.sending = false;
    }
    // A request that arrived while we were reading (or news for a kept one) is answered now.
    this.pump();
  }

  /** Nothing below the log start (retention deleted it): the response's start tells the follower. */
  private async batchesFrom(offset: number, leaderLeo: number): Promise<Buffer> {
    if (offset >= leaderLeo || offset < this.host.log.logStartOffset) return EMPTY;
    try {
      return await this.host.log.readFrom(offset, FETCH_MAX_BYTES, { unsynced: true });
    } catch (error) {
      if (error instanceof LogStoreError && error.code === 'OFFSET_TRIMMED') return EMPTY;
      throw error;
    }
  }
}
