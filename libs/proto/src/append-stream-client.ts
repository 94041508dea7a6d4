import {
  Metadata,
  status as GrpcStatus,
  type ClientDuplexStream,
  type ServiceError,
} from '@grpc/grpc-js';
import { TurnBatcher, afterMicrotasks } from '@distilled/common';
import type {
  AppendBatch,
  AppendResponse,
  AppendAnswer,
  AppendStreamRequest__Input,
  AppendStreamResponse,
  CallStatus,
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

/** A keyed client request without producer or expected offset: it may travel as a part. */
function takesPart(request: AppendBatch): boolean {
  return (
    !!request.idempotency_key &&
    !request.producer_id &&
    (request.expected_offset === undefined || request.expected_offset === null) &&
    !request.parts?.length
  );
}

/** Keyed appends sent as the parts of one request, not answered yet. */
interface KeyedGroup {
  id: number;
  call: AppendStreamCall;
  /** The members' request ids, in part order. */
  members: number[];
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

/** A grpc-js ServiceError built from what a replica (or this client) reports. */
export function serviceError(
  code: number,
  details: string,
  metadata = new Metadata(),
): ServiceError {
  return Object.assign(new Error(`${code} ${GrpcStatus[code] ?? ''}: ${details}`), {
    code,
    details,
    metadata,
  });
}

function fromCallStatus(status: CallStatus): ServiceError {
  const metadata = new Metadata();
  for (const [key, value] of Object.entries(status.metadata ?? {})) metadata.set(key, value);
  return serviceError(status.code, status.details, metadata);
}

/**
 * Replica.Append over one long-lived AppendStream: append() behaves like a unary Append call
 * (same answer, same errors as grpc-js ServiceErrors with the distilled-* metadata, same deadline
 * semantics) but costs a share of a stream message instead of a gRPC call. Concurrent appends
 * share the stream and are answered as each settles; appends made in the same tick leave in one
 * message (framing only: each is still its own append with its own answer). The stream opens on
 * first use and again after it fails; a failure fails the appends waiting on it (see failAll), so
 * a stream that never connected reports UNAVAILABLE "No connection established" exactly like a
 * unary call.
 */
export class AppendStreamClient {
  private call?: AppendStreamCall;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  /** Appends of this tick, sent together when it ends. */
  private readonly outbox = new TurnBatcher<StreamedAppend>((appends) => this.flush(appends), {
    schedule: afterMicrotasks,
  });
  private closed = false;
  /** The open stream, once its replica announced that it takes parts (APPEND_PARTS_HEADER). */
  private partsCall?: AppendStreamCall;
  /** Keyed appends of this tick, to join the queue of the next group. */
  private readonly keyedTurn = new TurnBatcher<StreamedAppend>(
    (appends) => {
      this.keyedQueue.push(...appends);
      this.sendKeyed();
    },
    { schedule: afterMicrotasks },
  );
  /** Keyed appends waiting for the group in flight to be answered. */
  private keyedQueue: StreamedAppend[] = [];
  /** At most one group of keyed appends in flight per stream (see sendKeyed). */
  private group?: KeyedGroup;
  /**
   * One timer for every pending append's deadline, armed for the earliest one, instead of a
   * timer per append: a keyed POST is one append of its own, and setting and clearing a timer
   * for each was a measurable part of what a key costs the API.
   */
  private deadlineTimer?: NodeJS.Timeout;
  /** When deadlineTimer fires (absolute ms). */
  private deadlineTimerAt = Infinity;

  constructor(private readonly client: AppendStreamCapable) {}

  /** Appends waiting for an answer. */
  get inFlight(): number {
    return this.pending.size;
  }

  /** `deadline`: absolute ms (Date.now() scale); past it the append fails DEADLINE_EXCEEDED. */
  append(request: AppendBatch, deadline: number): Promise<AppendResponse> {
    if (this.closed) {
      return Promise.reject(
        serviceError(GrpcStatus.CANCELLED, 'the append stream client is closed'),
      );
    }
    const call = this.call ?? this.open();
    const id = this.nextId++;
    return new Promise<AppendResponse>((resolve, reject) => {
      this.pending.set(id, { call, written: false, resolve, reject, deadline });
      this.watchDeadline(deadline);
      // Every field of the request travels (keys, expected offsets), tagged with its id.
      const streamed = { ...request, request_id: id };
      if (call === this.partsCall && takesPart(request)) this.keyedTurn.add(streamed);
      else this.outbox.add(streamed);
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
   * Sends the queued keyed appends as the parts of one request, unless a group is in flight:
   * then they wait for its answer, as the producer's batches wait for a slot. The leader stores
   * the parts it accepts as one record batch; sending every tick's keyed appends at once instead
   * made the leader's batches less than half as large as plain writes' at 64 connections, and
   * each batch costs every replica a header, a checksum and a write.
   */
  private sendKeyed(): void {
    const call = this.call;
    if (this.group || !call || call !== this.partsCall) return;
    const members: StreamedAppend[] = [];
    let bytes = 0;
    while (this.keyedQueue.length > 0) {
      const next = this.keyedQueue[0];
      const waiting = this.pending.get(next.request_id);
      if (!waiting || waiting.call !== call) {
        this.keyedQueue.shift(); // timed out, or failed with an earlier stream
        continue;
      }
      let size = 0;
      for (const m of next.messages) size += m.length;
      if (members.length > 0 && bytes + size > STREAM_MESSAGE_MAX_BYTES) break;
      this.keyedQueue.shift();
      members.push(next);
      bytes += size;
      waiting.written = true;
    }
    if (members.length === 0) return;
    const id = this.nextId++;
    this.group = { id, call, members: members.map((m) => m.request_id) };
    const request: StreamedAppend = {
      messages: members.length === 1 ? members[0].messages : members.flatMap((m) => m.messages),
      producer_id: 0,
      sequence: 0,
      request_id: id,
      parts: members.map((m) => ({
        idempotency_key: m.idempotency_key ?? '',
        request_hash: m.request_hash ?? Buffer.alloc(0),
        count: m.messages.length,
      })),
    };
    call.write({ appends: [request] });
  }

  /** The group's answer: each part's goes to its member, then the next group may leave. */
  private settleGroup(group: KeyedGroup, answer: AppendAnswer): void {
    this.group = undefined;
    const parts = answer.result?.parts ?? [];
    group.members.forEach((member, i) => {
      if (answer.error && answer.error.code !== GrpcStatus.OK) {
        this.settle({ request_id: member, error: answer.error, result: null });
      } else if (parts.length === group.members.length) {
        this.settle({ ...parts[i], request_id: member });
      } else {
        const details = `the replica answered ${parts.length} parts for ${group.members.length}`;
        this.settle({
          request_id: member,
          result: null,
          error: { code: GrpcStatus.INTERNAL, details, metadata: {} },
        });
      }
    });
    this.sendKeyed();
  }

  /** Makes the deadline timer fire no later than `deadline`. */
  private watchDeadline(deadline: number): void {
    if (deadline >= this.deadlineTimerAt) return;
    if (this.deadlineTimer) clearTimeout(this.deadlineTimer);
    this.deadlineTimerAt = deadline;
    this.deadlineTimer = setTimeout(() => this.expire(), Math.max(0, deadline - Date.now()));
  }

  private stopDeadlineTimer(): void {
    if (this.deadlineTimer) clearTimeout(this.deadlineTimer);
    this.deadlineTimer = undefined;
    this.deadlineTimerAt = Infinity;
  }

  /**
   * Fails every append past its deadline with DEADLINE_EXCEEDED (a late answer is then
   * ignored), and arms the timer for the earliest deadline left. At most one sweep per
   * millisecond, so appends expiring one after another cost a walk per ms, not per append.
   */
  private expire(): void {
    this.deadlineTimer = undefined;
    this.deadlineTimerAt = Infinity;
    const now = Date.now();
    let next = Infinity;
    let expired = false;
    for (const [id, waiting] of this.pending) {
      if (waiting.deadline > now) {
        if (waiting.deadline < next) next = waiting.deadline;
        continue;
      }
      this.pending.delete(id);
      expired = true;
      waiting.reject(serviceError(GrpcStatus.DEADLINE_EXCEEDED, 'Deadline exceeded'));
    }
    if (next !== Infinity) this.watchDeadline(Math.max(next, now + 1));
    if (expired) {
      this.releaseAbandonedGroup();
      this.cancelIfIdle();
    }
  }

  /** A group whose members all gave up waiting (deadline) no longer holds back the next. */
  private releaseAbandonedGroup(): void {
    const group = this.group;
    if (!group || group.members.some((member) => this.pending.has(member))) return;
    this.group = undefined;
    this.sendKeyed();
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
    this.keyedTurn.discard();
    this.keyedQueue = [];
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
    if (this.group?.id === id) return this.settleGroup(this.group, response);
    const waiting = this.pending.get(id);
    if (!waiting) return; // timed out already
    this.pending.delete(id);
    if (this.pending.size === 0) this.stopDeadlineTimer();
    this.cancelIfIdle();
    if (response.error && response.error.code !== GrpcStatus.OK) {
      waiting.reject(fromCallStatus(response.error));
    } else if (response.result) {
      waiting.resolve(response.result);
    } else {
      waiting.reject(serviceError(GrpcStatus.INTERNAL, 'the replica sent an empty answer'));
    }
  }

  private broken(call: AppendStreamCall, error: ServiceError): void {
    if (this.call === call) {
      this.call = undefined;
      this.outbox.discard();
      this.keyedTurn.discard();
    }
    if (this.partsCall === call) this.partsCall = undefined;
    if (this.group?.call === call) this.group = undefined;
    // Queued keyed appends of that stream fail below (never sent); later ones wait for a new one.
    this.keyedQueue = this.keyedQueue.filter(
      (queued) => this.pending.get(queued.request_id)?.call !== call,
    );
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
    for (const [id, waiting] of this.pending) {
      if (waiting.call !== call) continue;
      this.pending.delete(id);
      waiting.reject(waiting.written ? afterSend : beforeSend);
    }
    if (this.pending.size === 0) this.stopDeadlineTimer();
    this.cancelIfIdle();
  }
}
