import { EventEmitter } from 'node:events';
import { status as GrpcStatus } from '@grpc/grpc-js';
import {
  ErrorMetadata,
  ErrorReason,
  type ReadRangeRequest,
  type ReadRangeResponse,
  type ReadRangeStreamResponse,
} from '@distilled/proto';
import { ReplicaError } from '../errors/replica-error';
import { RangeReadStreams, type RangeStreamCall } from './range-read-streams';
import type { RangeReads } from './range-reads.service';

class FakeCall extends EventEmitter {
  written: ReadRangeStreamResponse[] = [];
  ended = false;
  cancelled = false;
  destroyed = false;
  get writableEnded(): boolean {
    return this.ended;
  }
  write(response: ReadRangeStreamResponse): boolean {
    this.written.push(response);
    return true;
  }
  end(): void {
    this.ended = true;
  }
}

function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => ((resolve = res), (reject = rej)));
  return { promise, resolve, reject };
}

const range = (offset: number): ReadRangeRequest => ({
  offset,
  max_count: 1000,
  max_bytes: 1 << 20,
  wait_ms: 0,
});
const answer = (text: string): ReadRangeResponse => ({
  messages: [Buffer.from(text)],
  high_watermark: 10,
  role: 'follower',
  log_start_offset: 0,
});
const settle = () => new Promise((resolve) => setImmediate(resolve));

function serving(readRange: (request: ReadRangeRequest) => Promise<ReadRangeResponse>) {
  const streams = new RangeReadStreams({ readRange } as unknown as RangeReads);
  const call = new FakeCall();
  streams.serve(call as unknown as RangeStreamCall);
  return { streams, call };
}

describe('RangeReadStreams', () => {
  it('reads each request as ReadRange does and answers it by id as it settles', async () => {
    const held = deferred<ReadRangeResponse>();
    const asked: ReadRangeRequest[] = [];
    const { call } = serving((request) => {
      asked.push(request);
      return request.offset === 1 ? held.promise : Promise.resolve(answer(`at ${request.offset}`));
    });
    call.emit('data', { request_id: 7, range: range(1) });
    call.emit('data', { request_id: 8, range: range(2) });
    await settle();
    // The long-poll (7) holds up nothing behind it.
    expect(call.written.map((r) => r.request_id)).toEqual([8]);
    expect(call.written[0].result?.messages.map(String)).toEqual(['at 2']);
    held.resolve(answer('at 1'));
    await settle();
    expect(call.written.map((r) => r.request_id)).toEqual([8, 7]);
    expect(asked).toEqual([range(1), range(2)]);
  });

  it('answers a refusal with the status and trailers ReadRange would have ended with', async () => {
    const { call } = serving(() =>
      Promise.reject(ReplicaError.repairing('re-fetching committed messages')),
    );
    call.emit('data', { request_id: 3, range: range(0) });
    await settle();
    const error = call.written[0].error!;
    expect(call.written[0].request_id).toBe(3);
    expect(error.code).toBe(GrpcStatus.UNAVAILABLE);
    expect(error.metadata[ErrorMetadata.reason]).toBe(ErrorReason.Repairing);
  });

  it('ends the stream when the client has ended it and every answer went out', async () => {
    const held = deferred<ReadRangeResponse>();
    const { streams, call } = serving(() => held.promise);
    call.emit('data', { request_id: 1, range: range(0) });
    call.emit('end');
    expect(call.ended).toBe(false);
    expect(streams.openCount).toBe(1);
    held.resolve(answer('last'));
    await settle();
    expect(call.written.map((r) => r.request_id)).toEqual([1]);
    expect(call.ended).toBe(true);
    expect(streams.openCount).toBe(0);
  });

  it('closeAll ends every open stream', () => {
    const { streams, call } = serving(() => new Promise(() => undefined));
    call.emit('data', { request_id: 1, range: range(0) });
    streams.closeAll();
    expect(call.ended).toBe(true);
    expect(streams.openCount).toBe(0);
  });
});
