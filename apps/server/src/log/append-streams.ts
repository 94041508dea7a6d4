import { Injectable, Logger } from '@nestjs/common';
import { TurnBatcher, afterMicrotasks } from '@distilled/common';
import { Metadata, type ServerDuplexStream } from '@grpc/grpc-js';
import {
  APPEND_PARTS_HEADER,
  type AppendAnswer__Input,
  type AppendStreamRequest,
  type AppendStreamResponse__Input,
} from '@distilled/proto';
import { isExpectedError } from '../errors/grpc-status';
import { toCallStatus } from './append-status';
import { OpenDuplexCalls, writeQuietly } from './open-duplex-calls';
import { ReplicaService } from './replica.service';

export type AppendStreamCall = ServerDuplexStream<AppendStreamRequest, AppendStreamResponse__Input>;

/**
 * distilled.v1.Replica.AppendStream: every request on a stream is handled at once, exactly like
 * a concurrent Append call (same rules, same group commit), and answered on the stream when it
 * settles, tagged with its request id. Answers that settle in the same turn of the event loop
 * (a coalesced batch commits for all its callers at once) leave as one message, sent as soon as
 * the microtasks of that turn have run (no added delay). The stream is
 * ended when the client ends it (after the last answer) or when the replica stops (closeAll,
 * after the leader drained its appends).
 */
@Injectable()
export class AppendStreams {
  private readonly logger = new Logger('AppendStream');
  private readonly open = new OpenDuplexCalls<AppendStreamResponse__Input, AppendStreamCall>();

  constructor(private readonly replica: ReplicaService) {}

  get openCount(): number {
    return this.open.size;
  }

  serve(call: AppendStreamCall): void {
    this.open.add(call);
    // Said before any answer: this replica takes AppendRequest.parts (ReplicaService.append).
    const headers = new Metadata();
    headers.set(APPEND_PARTS_HEADER, '1');
    call.sendMetadata(headers);
    let pending = 0;
    let clientEnded = false;
    const finishIfDone = () => {
      if (clientEnded && pending === 0) this.open.finish(call);
    };
    // After the microtasks of this turn: every caller of a committed batch is answered by then.
    const outbox = new TurnBatcher<AppendAnswer__Input>(
      (answers) => {
        writeQuietly(call, { answers });
        finishIfDone();
      },
      { schedule: afterMicrotasks },
    );
    const answer = (response: AppendAnswer__Input) => {
      pending -= 1;
      outbox.add(response);
    };
    call.on('data', (message: AppendStreamRequest) => {
      for (const request of message.appends ?? []) {
        pending += 1;
        const requestId = request.request_id ?? 0;
        this.replica.append(request).then(
          (result) => answer({ request_id: requestId, result }),
          (error: unknown) => {
            if (!isExpectedError(error)) {
              const stack = error instanceof Error ? error.stack : String(error);
              this.logger.error(`unexpected error in an AppendStream request: ${stack}`);
            }
            answer({ request_id: requestId, error: toCallStatus(error) });
          },
        );
      }
    });
    call.on('end', () => {
      clientEnded = true;
      if (outbox.size === 0) finishIfDone();
    });
  }

  /** Ends every open stream (the replica is stopping; appends in flight have been drained). */
  closeAll(): void {
    this.open.closeAll();
  }
}
