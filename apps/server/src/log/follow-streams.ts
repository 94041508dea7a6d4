import { Injectable, type OnApplicationShutdown } from '@nestjs/common';
import type { ServerWritableStream } from '@grpc/grpc-js';
import { Observable } from 'rxjs';
import type { FollowRequest, FollowResponse } from '@distilled/proto';
import { FOLLOW_HEARTBEAT_MS, FOLLOW_MAX_BYTES, RANGE_MAX_COUNT } from '../constants';
import { checkOffset, RangeReads } from './range-reads.service';

export type FollowCall = ServerWritableStream<FollowRequest, FollowResponse>;

/**
 * distilled.v1.Replica.Follow: the committed log from an offset on, pushed as the high watermark
 * moves. One loop per stream: read what is committed past the last message sent, write it, and
 * when the call's buffer is full wait for it to drain before reading more (flow control end to
 * end: a caller that stops reading stops the loop, it never piles up responses here). At the
 * tail the loop parks on the high watermark; after FOLLOW_HEARTBEAT_MS without news it sends an
 * empty response so the caller can tell a quiet log from a dead replica.
 *
 * Returned to Nest as an Observable that never emits (the loop writes to the call itself, so it
 * sees write()'s backpressure) and completes or errors when the loop ends; Nest then ends the
 * call, with the error's status through GrpcExceptionFilter.
 */
@Injectable()
export class FollowStreams implements OnApplicationShutdown {
  private readonly open = new Set<() => void>();

  constructor(private readonly ranges: RangeReads) {}

  get openCount(): number {
    return this.open.size;
  }

  /** Ends every stream (the replica stops): callers move on to another replica. */
  onApplicationShutdown(): void {
    for (const stop of [...this.open]) stop();
  }

  serve(request: FollowRequest, call: FollowCall): Observable<never> {
    return new Observable<never>((subscriber) => {
      let stopped = false;
      let wake: (() => void) | null = null;
      const stop = (): void => {
        stopped = true;
        wake?.();
      };
      this.open.add(stop);
      call.on('cancelled', stop);
      call.on('close', stop);
      const onDrain = (): void => wake?.();
      call.on('drain', onDrain);
      const pause = (ms: number | null): Promise<void> =>
        new Promise<void>((resolve) => {
          const timer = ms === null ? null : setTimeout(done, ms);
          function done(): void {
            if (timer) clearTimeout(timer);
            wake = null;
            resolve();
          }
          wake = done;
        });

      const loop = async (): Promise<void> => {
        checkOffset(request.offset);
        let next = request.offset;
        let lastSent = 0;
        while (!stopped && !this.ranges.shuttingDown) {
          const { messages, highWatermark } = await this.ranges.committed(next, {
            maxCount: RANGE_MAX_COUNT,
            maxBytes: FOLLOW_MAX_BYTES,
          });
          if (stopped) return;
          const quietFor = Date.now() - lastSent;
          if (messages.length === 0 && quietFor < FOLLOW_HEARTBEAT_MS) {
            // At the tail: park until the HW passes `next`, or until the heartbeat is due.
            await Promise.race([
              this.ranges.waiters.waitPast(next, FOLLOW_HEARTBEAT_MS - quietFor),
              pause(null),
            ]);
            wake = null;
            continue;
          }
          const writable = call.write({
            first_offset: next,
            messages,
            high_watermark: highWatermark,
          });
          next += messages.length;
          lastSent = Date.now();
          if (!writable) await pause(null); // until 'drain' (or the call ends)
        }
      };

      loop().then(
        () => subscriber.complete(),
        (error: unknown) => (stopped ? subscriber.complete() : subscriber.error(error)),
      );
      return () => {
        stop();
        this.open.delete(stop);
        call.off('drain', onDrain);
        call.off('cancelled', stop);
        call.off('close', stop);
      };
    });
  }
}
