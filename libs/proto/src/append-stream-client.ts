import {
  Metadata,
  status as GrpcStatus,
  type ClientDuplexStream,
  type ServiceError,
} from '@grpc/grpc-js';
import { TurnBatcher, afterMicrotasks } from '@distilled/common';
import { PendingCalls } from './pending-calls';
import { serviceError, settleAnswer } from './service-error';
import type {
  AppendBatch,
  AppendResponse,
  AppendAnswer,
  AppendStreamRequest__Input,
  AppendStreamResponse,
} from './messages';

/** An append as it goes on the stream: the sender's fields and the id its answer echoes. */
type StreamedAppend = AppendBatch & { request_id: number };

type AppendStreamCall = ClientDuplexStream<AppendStreamRequest__Input, AppendStreamResponse>;

/** The part of a distilled.v1.Replica grpc-js stub this needs (ReplicaStub has it). */
export interface AppendStreamCapable {
  AppendStream(): AppendStreamCall;
}

/** One stream message carries at most this many message bytes (well under the 64 MiB limit). */
export const STREAM_MESSAGE_MAX_BYTES = 16 * 1024 * 1024;

/**
 * Response header of a replica's AppendStream ('1'): the replica takes AppendRequest.parts. A
 * replica that predates parts would store a request with parts as plain messages, keys lost, so
 * parts go only on a stream whose replica said this.
 */
export const APPEND_PARTS_HEADER = 'distilled-append-parts';

/**
 * Keyed appends as the parts of one: their messages in order, a key, hash and count each; the
 * answer may be compact (compact-parts-answer.ts).
 */
export function joinParts(requests: AppendBatch[]): AppendBatch {
  return {
    messages: requests.length === 1 ? requests[0].messages : requests.flatMap((r) => r.messages),
    producer_id: 0,
    sequence: 0,
    parts: requests.map((request) => ({
      idempotency_key: request.idempotency_key ?? '',
      request_hash: request.request_hash ?? Buffer.alloc(0),
      count: request.messages.length,
    })),
    // Read by readCompactPartsAnswer; a replica that predates it answers in `parts`.
    compact_parts_answer: true,
  };
}

interface Pending {
  call: AppendStreamCall;
  /** Handed to the stream (it may have reached the replica). */
  written: boolean;
  resolve(response: AppendResponse): void;
  reject(error: ServiceError): void;
  /** Absolute ms (Date.now() scale): past it the append fails DEADLINE_EXCEEDED. */
  deadline: number;
}

/**
 * Replica.Append over one long-lived AppendStream: append() behaves like a unary Append call
 * (same answer, same errors as grpc-js ServiceErrors with the distilled-* metadata, same deadline
 * semantics) but costs a share of a stream message instead of a gRPC call. Concurrent appends
 * share the stream and are answered as each settles; appends made in the same tick leave in one
 * message (framing only: each is still its own append with its own answer). An append with
 * AppendRequest.parts (several keyed client requests, grouped by the caller) goes only on a
 * stream whose replica announced parts (takesParts); its answer carries one answer per part. The
 * stream opens on
 * first use and again after it fails; a failure fails the appends waiting on it (see failAll), so
 * a stream that never connected reports UNAVAILABLE "No connection established" exactly like a
 * unary call.
 */
export class AppendStreamClient {
  private call?: AppendStreamCall;
  private nextId = 1;
  /** Answers awaited, with one deadline timer; an expiry may end a closed client's stream. */
  private readonly pending = new PendingCalls<Pending>(() => this.cancelIfIdle());
  /** Appends of this tick, sent together when it ends. */
  private readonly outbox = new TurnBatcher<StreamedAppend>((appends) => this.flush(appends), {
    schedule: afterMicrotasks,
  });
  private closed = false;
  /** The open stream, once its replica announced that it takes parts (APPEND_PARTS_HEADER). */
  private partsCall?: AppendStreamCall;
  constructor(private readonly client: AppendStreamCapable) {}

  /** Appends waiting for an answer. */
  get inFlight(): number {
    return this.pending.size;
  }

  /**
   * Whether an append made now may carry AppendRequest.parts: the open stream's replica said it
   * takes them. False before the stream's response headers arrived (and with no stream open);
   * the caller then sends the parts as appends of their own.
   */
  get takesParts(): boolean {
    return this.call !== undefined && this.call === this.partsCall;
  }

  /** `deadline`: absolute ms (Date.now() scale); past it the append fails DEADLINE_EXCEEDED. */
  append(request: AppendBatch, deadline: number): Promise<AppendResponse> {
    if (this.closed) {
      return Promise.reject(
        serviceError(GrpcStatus.CANCELLED, 'the append stream client is closed'),
      );
    }
    const call = this.call ?? this.open();
    if (request.parts?.length && call !== this.partsCall) {
      // A replica that predates parts would store the messages without their keys.
      return Promise.reject(
        serviceError(GrpcStatus.CANCELLED, 'the replica did not announce parts; nothing was sent'),
      );
    }
    const id = this.nextId++;
    return new Promise<AppendResponse>((resolve, reject) => {
      this.pending.add(id, { call, written: false, resolve, reject, deadline });
      // Every field of the request travels (keys, expected offsets, parts), tagged with its id.
      this.outbox.add({ ...request, request_id: id });
    });
  }

  private flush(appends: StreamedAppend[]): void {
    // A stream that failed since had its appends failed and the outbox emptied (discard), so
    // what arrives here was queued for the stream open now.
    const call = this.call;
    if (!call) return;
    let message: StreamedAppend[] = [];
    let bytes = 0;
    const send = () => {
      for (const request of message) {
        const waiting = this.pending.get(request.request_id);
        if (waiting) waiting.written = true;
      }
      call.write({ appends: message });
      message = [];
      bytes = 0;
    };
    for (const request of appends) {
      let size = 0;
      for (const m of request.messages) size += m.length;
      if (message.length > 0 && bytes + size > STREAM_MESSAGE_MAX_BYTES) send();
      message.push(request);
      bytes += size;
    }
    if (message.length > 0) send();
  }

  /**
   * Takes no new appends. Appends already waiting keep their stream until each is answered,
   * fails the way a unary call would (e.g. "No connection established": never sent) or hits its
   * deadline; then the stream is cancelled. Cancelling them at once would turn appends that
   * were never sent into "may have been stored".
   */
  close(): void {
    this.closed = true;
    this.cancelIfIdle();
  }

  private cancelIfIdle(): void {
    if (!this.closed || this.pending.size > 0) return;
    const call = this.call;
    this.call = undefined;
    this.partsCall = undefined;
    this.outbox.discard();
    call?.cancel();
  }

  private open(): AppendStreamCall {
    const call = this.client.AppendStream();
    this.call = call;
    call.on('metadata', (metadata: Metadata) => {
      if (this.call === call && metadata.get(APPEND_PARTS_HEADER)[0] === '1') this.partsCall = call;
    });
    call.on('data', (response: AppendStreamResponse) => {
      for (const answer of response.answers ?? []) this.settle(answer);
    });
    call.on('error', (error: ServiceError) => this.broken(call, error));
    call.on('status', (status: { code: number; details: string; metadata: Metadata }) => {
      // OK: the replica ended the stream (it is stopping); anything unanswered may be stored.
      if (status.code === GrpcStatus.OK) {
        this.broken(
          call,
          serviceError(GrpcStatus.UNAVAILABLE, 'the replica ended the append stream'),
        );
      }
    });
    return call;
  }

  private settle(response: AppendAnswer): void {
    const id = Number(response.request_id);
    const waiting = this.pending.take(id);
    if (!waiting) return; // timed out already
    this.cancelIfIdle();
    settleAnswer(waiting, response);
  }

  private broken(call: AppendStreamCall, error: ServiceError): void {
    if (this.call === call) {
      this.call = undefined;
      this.outbox.discard();
    }
    if (this.partsCall === call) this.partsCall = undefined;
    this.failAll(call, error);
  }

  /**
   * Fails every append of `call`. An append already handed to the stream may have reached the
   * replica whatever status the stream ended with (e.g. RESOURCE_EXHAUSTED for a later, larger
   * message), so it gets UNAVAILABLE, which callers read as "may have been stored"; only
   * UNAVAILABLE itself passes through, since grpc reports a stream that never connected (nothing
   * sent) as UNAVAILABLE "No connection established", just as for a unary call. An append never
   * handed over fails CANCELLED (also "may have been stored" to a careful caller; it was not).
   */
  private failAll(call: AppendStreamCall, error: ServiceError): void {
    const afterSend =
      error.code === GrpcStatus.UNAVAILABLE
        ? error
        : serviceError(
            GrpcStatus.UNAVAILABLE,
            `the append stream failed after the append was sent (${GrpcStatus[error.code] ?? error.code})`,
          );
    const beforeSend = serviceError(
      GrpcStatus.CANCELLED,
      `the append stream failed before the append was sent (${GrpcStatus[error.code] ?? error.code})`,
    );
    this.pending.failWhere(
      (waiting) => waiting.call === call,
      (waiting) => (waiting.written ? afterSend : beforeSend),
    );
    this.cancelIfIdle();
  }
}
