// Replica.ReadRange over one long-lived ReadRangeStream per channel: a range read costs a stream
// message each way instead of a gRPC call (call object, headers, trailers, a new HTTP/2 stream on
// both sides), which was the largest per-page item of a Range read left in the API and the
// replica once the messages themselves were cheap.
import { status as GrpcStatus, type ClientDuplexStream, type ServiceError } from '@grpc/grpc-js';
import { PendingCalls } from './pending-calls';
import { serviceError, settleAnswer } from './service-error';
import type {
  ReadRangeRequest__Input,
  ReadRangeResponse,
  ReadRangeStreamRequest__Input,
  ReadRangeStreamResponse,
} from './messages';

/** How long a replica that refused the stream is read with unary calls before the stream is tried again. */
export const RANGE_STREAM_RETRY_AFTER_MS = 60_000;

type RangeStreamCall = ClientDuplexStream<ReadRangeStreamRequest__Input, ReadRangeStreamResponse>;

/** The part of a distilled.v1.Replica grpc-js stub this needs (ReplicaStub has it). */
export interface RangeStreamCapable {
  ReadRangeStream(): RangeStreamCall;
}

interface Pending {
  call: RangeStreamCall;
  resolve(response: ReadRangeResponse): void;
  reject(error: ServiceError): void;
  /** Absolute ms (Date.now() scale): past it the read fails DEADLINE_EXCEEDED. */
  deadline: number;
}

/**
 * read() behaves like a unary ReadRange call (same answer; the same errors as grpc-js
 * ServiceErrors with the distilled-* metadata; the same deadline), over one stream shared by
 * every read of this channel, answered in completion order. The stream opens on first use and
 * again after it fails; a failure fails the reads waiting on it with its error (a stream that
 * never connected reports UNAVAILABLE "No connection established", as a unary call does). A
 * replica that predates the stream answers UNIMPLEMENTED once: `unsupported` then holds for
 * `retryAfterMs` and the caller goes back to the unary call meanwhile; after it the stream is
 * tried again, so a replica upgraded in a rolling restart is read over the stream without an API
 * restart. A read has no side effect, so a failed stream needs none of AppendStreamClient's "was
 * it sent" care.
 */
export class RangeStreamClient {
  private call?: RangeStreamCall;
  private nextId = 1;
  /** With one timer for the earliest pending deadline, not one per read. */
  private readonly pending = new PendingCalls<Pending>();
  private closed = false;
  /** Until when (Date.now() scale) the replica is taken not to know ReadRangeStream. */
  private unsupportedUntil = 0;

  constructor(
    private readonly client: RangeStreamCapable,
    private readonly retryAfterMs = RANGE_STREAM_RETRY_AFTER_MS,
  ) {}

  /** The replica answered UNIMPLEMENTED to the stream less than `retryAfterMs` ago. */
  get unsupported(): boolean {
    return this.unsupportedUntil !== 0 && Date.now() < this.unsupportedUntil;
  }

  /** Reads waiting for an answer. */
  get inFlight(): number {
    return this.pending.size;
  }

  /** `deadline`: absolute ms (Date.now() scale); past it the read fails DEADLINE_EXCEEDED. */
  read(request: ReadRangeRequest__Input, deadline: number): Promise<ReadRangeResponse> {
    if (this.closed) {
      return Promise.reject(
        serviceError(GrpcStatus.CANCELLED, 'the range stream client is closed'),
      );
    }
    const call = this.call ?? this.open();
    const id = this.nextId++;
    return new Promise<ReadRangeResponse>((resolve, reject) => {
      this.pending.add(id, { call, resolve, reject, deadline });
      call.write({ request_id: id, range: request });
    });
  }

  /** Fails every waiting read CANCELLED (as closing a channel does to its unary calls) and ends. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    const call = this.call;
    this.call = undefined;
    if (call)
      this.failAll(call, serviceError(GrpcStatus.CANCELLED, 'the range stream client is closed'));
    call?.cancel();
  }

  private open(): RangeStreamCall {
    const call = this.client.ReadRangeStream();
    this.call = call;
    call.on('data', (response: ReadRangeStreamResponse) => this.settle(response));
    call.on('error', (error: ServiceError) => this.broken(call, error));
    call.on('status', (status: { code: number }) => {
      // OK: the replica ended the stream (it is stopping); what it did not answer, it will not.
      if (status.code === GrpcStatus.OK) {
        this.broken(
          call,
          serviceError(GrpcStatus.UNAVAILABLE, 'the replica ended the range stream'),
        );
      }
    });
    return call;
  }

  private settle(response: ReadRangeStreamResponse): void {
    const id = Number(response.request_id);
    const waiting = this.pending.take(id);
    if (!waiting) return; // timed out already
    settleAnswer(waiting, response);
  }

  private broken(call: RangeStreamCall, error: ServiceError): void {
    if (error.code === GrpcStatus.UNIMPLEMENTED)
      this.unsupportedUntil = Date.now() + this.retryAfterMs;
    if (this.call === call) this.call = undefined;
    this.failAll(call, error);
  }

  private failAll(call: RangeStreamCall, error: ServiceError): void {
    this.pending.failWhere(
      (waiting) => waiting.call === call,
      () => error,
    );
  }
}
