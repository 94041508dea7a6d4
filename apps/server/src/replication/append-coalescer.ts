import { TurnBatcher } from '@distilled/common';
import type { AppendResult } from '@distilled/log-store';
import { coalesceGroups } from './coalesce-groups';

interface Waiting {
  messages: Buffer[];
  bytes: number;
  resolve(result: AppendResult): void;
  reject(error: unknown): void;
}

function sizeOf(messages: Buffer[]): number {
  let bytes = 0;
  for (const message of messages) bytes += message.length;
  return bytes;
}

/**
 * Appends without a producer id that arrive in the same turn of the event loop (many clients'
 * single-message calls, or requests on an AppendStream) become one record batch: one header,
 * one checksum, one entry for the followers to check, instead of one per call. Each caller gets
 * its own offsets inside the batch, and the batch's outcome (committed, or the error) is
 * everyone's, as it would be for calls that shared a group commit anyway.
 *
 * Producer batches are never merged: their (producer id, sequence) must stay one batch each so
 * a retry is recognised.
 */
export class AppendCoalescer {
  private readonly waiting = new TurnBatcher<Waiting>((calls) => this.flush(calls));

  constructor(private readonly appendBatch: (messages: Buffer[]) => Promise<AppendResult>) {}

  /** Calls waiting for the next turn (not yet handed to the log). */
  get pending(): number {
    return this.waiting.size;
  }

  append(messages: Buffer[]): Promise<AppendResult> {
    return new Promise<AppendResult>((resolve, reject) => {
      this.waiting.add({ messages, bytes: sizeOf(messages), resolve, reject });
    });
  }

  /** The calls of one turn, as few record batches as the size limits allow. */
  private flush(waiting: Waiting[]): void {
    for (const group of coalesceGroups(waiting)) this.send(group);
  }

  private send(group: Waiting[]): void {
    const messages = group.length === 1 ? group[0].messages : group.flatMap((c) => c.messages);
    this.appendBatch(messages).then(
      (result) => {
        let offset = result.baseOffset;
        for (const call of group) {
          call.resolve({ baseOffset: offset, count: call.messages.length, duplicate: false });
          offset += call.messages.length;
        }
      },
      (error: unknown) => {
        for (const call of group) call.reject(error);
      },
    );
  }
}
