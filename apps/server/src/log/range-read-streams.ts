import { Injectable, Logger } from '@nestjs/common';
import type { ServerDuplexStream } from '@grpc/grpc-js';
import type { ReadRangeStreamRequest, ReadRangeStreamResponse__Input } from '@distilled/proto';
import { isExpectedError } from '../errors/grpc-status';
import { toCallStatus } from './append-status';
import { OpenDuplexCalls, writeQuietly } from './open-duplex-calls';
import { RangeReads } from './range-reads.service';

export type RangeStreamCall = ServerDuplexStream<
  ReadRangeStreamRequest,
  ReadRangeStreamResponse__Input
>;

/**
 * distilled.v1.Replica.ReadRangeStream: each request on a stream is RangeReads.readRange, exactly
 * as a ReadRange call of its own (same checks, same long-poll, same errors), answered on the
 * stream when it settles with its request id; a long-poll holds up nothing behind it. What a
 * ReadRange call costs the replica beyond the read itself (Nest's handler, grpc-js's call with
 * its headers and trailers) is paid once per stream. Ended when the client ends it (after its
 * last answer) or when the replica stops (closeAll).
 */
@Injectable()
export class RangeReadStreams {
  private readonly logger = new Logger('ReadRangeStream');
  private readonly open = new OpenDuplexCalls<ReadRangeStreamResponse__Input, RangeStreamCall>();

  constructor(private readonly ranges: RangeReads) {}

  get openCount(): number {
    return this.open.size;
  }

  serve(call: RangeStreamCall): void {
    this.open.add(call);
    let pending = 0;
    let clientEnded = false;
    const answer = (response: ReadRangeStreamResponse__Input) => {
      pending -= 1;
      writeQuietly(call, response);
      if (clientEnded && pending === 0) this.open.finish(call);
    };
    call.on('data', (message: ReadRangeStreamRequest) => {
      pending += 1;
      const requestId = message.request_id ?? 0;
      // A message without a range is a request with every field zero: refused as invalid below.
      const range = message.range ?? { offset: 0, max_count: 0, max_bytes: 0, wait_ms: 0 };
      this.ranges.readRange(range).then(
        (result) => answer({ request_id: requestId, result }),
        (error: unknown) => {
          if (!isExpectedError(error)) {
            const stack = error instanceof Error ? error.stack : String(error);
            this.logger.error(`unexpected error in a ReadRangeStream request: ${stack}`);
          }
          answer({ request_id: requestId, error: toCallStatus(error) });
        },
      );
    });
    call.on('end', () => {
      clientEnded = true;
      if (pending === 0) this.open.finish(call);
    });
  }

  /** Ends every open stream (the replica is stopping); reads still held get no answer. */
  closeAll(): void {
    this.open.closeAll();
  }
}
