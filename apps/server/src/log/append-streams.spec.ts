import { EventEmitter } from 'node:events';
import { status as GrpcStatus } from '@grpc/grpc-js';
import {
  APPEND_PARTS_HEADER,
  ErrorMetadata,
  ErrorReason,
  type AppendAnswer,
  type AppendRequest,
  type AppendStreamResponse,
} from '@distilled/proto';
import { ReplicaError } from '../errors/replica-error';
import { AppendStreams, type AppendStreamCall } from './append-streams';
import type { ReplicaService } from './replica.service';

class FakeCall extends EventEmitter {
  messages: AppendStreamResponse[] = [];
  ended = false;
  cancelled = false;
  destroyed = false;
  get writableEnded(): boolean {
    return this.ended;
  }
  write(response: AppendStreamResponse): boolean {
    this.messages.push(response);
    return true;
  }
  /** Every answer, in the order sent. */
  get written(): AppendAnswer[] {
    return this.messages.flatMap((message) => message.answers);
  }
  end(): void {
    this.ended = true;
  }
  headers?: Record<string, unknown>;
  sendMetadata(metadata: { getMap(): Record<string, unknown> }): void {
    this.headers = metadata.getMap();
  }
}

function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => ((resolve = res), (reject = rej)));
  return { promise, resolve, reject };
}

const append = (id: number): AppendRequest => ({
  messages: [Buffer.from(`m${id}`)],
  producer_id: 0,
  sequence: 0,
  request_id: id,
  idempotency_key: '',
  request_hash: Buffer.alloc(0),
  parts: [],
  compact_parts_answer: false,
});
// Two turns: the answer settles in one, the stream flushes its answers in the next.
const settle = () => new Promise((resolve) => setImmediate(() => setImmediate(resolve)));

describe('AppendStreams', () => {
  it('handles requests concurrently and answers each by id as it settles', async () => {
    const answers = [deferred<unknown>(), deferred<unknown>()];
    const calls: AppendRequest[] = [];
    const replica = {
      append: (r: AppendRequest) => {
        calls.push(r);
        return answers[calls.length - 1].promise;
      },
    } as unknown as ReplicaService;
    const streams = new AppendStreams(replica);
    const call = new FakeCall();
    streams.serve(call as unknown as AppendStreamCall);
    // Before any answer: this replica takes AppendRequest.parts.
    expect(call.headers).toEqual({ [APPEND_PARTS_HEADER]: '1' });
    call.emit('data', { appends: [append(7)] });
    call.emit('data', { appends: [append(8)] });
    expect(calls).toHaveLength(2); // both in progress at once
    answers[1].resolve({ base_offset: 10, count: 1, duplicate: false });
    await settle();
    answers[0].reject(ReplicaError.notLeader('r2', '127.0.0.1:9'));
    await settle();
    expect(call.written[0]).toEqual({
      request_id: 8,
      result: { base_offset: 10, count: 1, duplicate: false },
    });
    const failed = call.written[1];
    expect(failed.request_id).toBe(7);
    expect(failed.error?.code).toBe(GrpcStatus.FAILED_PRECONDITION);
    expect(failed.error?.metadata[ErrorMetadata.reason]).toBe(ErrorReason.NotLeader);
    expect(failed.error?.metadata[ErrorMetadata.leaderId]).toBe('r2');
  });

  it('takes several appends in one message and sends answers that settle together in one', async () => {
    const answers = [deferred<unknown>(), deferred<unknown>(), deferred<unknown>()];
    let n = 0;
    const replica = { append: () => answers[n++].promise } as unknown as ReplicaService;
    const streams = new AppendStreams(replica);
    const call = new FakeCall();
    streams.serve(call as unknown as AppendStreamCall);
    call.emit('data', { appends: [append(1), append(2), append(3)] });
    expect(n).toBe(3);
    answers[0].resolve({ base_offset: 0, count: 1, duplicate: false });
    answers[1].resolve({ base_offset: 1, count: 1, duplicate: false });
    await settle();
    answers[2].resolve({ base_offset: 2, count: 1, duplicate: false });
    await settle();
    expect(call.messages.map((m) => m.answers.map((a) => a.request_id))).toEqual([[1, 2], [3]]);
  });

  it('ends the stream after the last answer once the client has ended it', async () => {
    const answer = deferred<unknown>();
    const replica = { append: () => answer.promise } as unknown as ReplicaService;
    const streams = new AppendStreams(replica);
    const call = new FakeCall();
    streams.serve(call as unknown as AppendStreamCall);
    call.emit('data', { appends: [append(1)] });
    call.emit('end');
    await settle();
    expect(call.ended).toBe(false);
    answer.resolve({ base_offset: 0, count: 1, duplicate: false });
    await settle();
    expect(call.written).toHaveLength(1);
    expect(call.ended).toBe(true);
    expect(streams.openCount).toBe(0);
  });

  it('does not write to a cancelled call, and closeAll ends the open ones', async () => {
    const answer = deferred<unknown>();
    const replica = { append: () => answer.promise } as unknown as ReplicaService;
    const streams = new AppendStreams(replica);
    const gone = new FakeCall();
    const open = new FakeCall();
    streams.serve(gone as unknown as AppendStreamCall);
    streams.serve(open as unknown as AppendStreamCall);
    gone.emit('data', { appends: [append(1)] });
    gone.cancelled = true;
    gone.emit('cancelled');
    answer.resolve({ base_offset: 0, count: 1, duplicate: false });
    await settle();
    expect(gone.written).toHaveLength(0);
    expect(streams.openCount).toBe(1);
    streams.closeAll();
    expect(open.ended).toBe(true);
    expect(streams.openCount).toBe(0);
  });
});
