// The calls a stream client waits on, by request id, with one deadline timer for all of them,
// armed for the earliest, instead of a timer per call: setting and clearing one per append was
// a measurable part of what an append cost the API. Both stream clients (append, range) use it.
import { status as GrpcStatus, type ServiceError } from '@grpc/grpc-js';
import { serviceError } from './service-error';

export interface WaitingCall {
  /** Absolute ms (Date.now() scale): past it the call fails DEADLINE_EXCEEDED. */
  readonly deadline: number;
  reject(error: ServiceError): void;
}

export class PendingCalls<Waiting extends WaitingCall> {
  private readonly byId = new Map<number, Waiting>();
  private timer?: NodeJS.Timeout;
  /** When the timer fires (absolute ms). */
  private timerAt = Infinity;

  /** `onExpired`: called after a deadline sweep failed at least one call. */
  constructor(private readonly onExpired: () => void = () => undefined) {}

  get size(): number {
    return this.byId.size;
  }

  get(id: number): Waiting | undefined {
    return this.byId.get(id);
  }

  add(id: number, waiting: Waiting): void {
    this.byId.set(id, waiting);
    this.watch(waiting.deadline);
  }

  /** Removes the call answered as `id`; undefined when it already expired or failed. */
  take(id: number): Waiting | undefined {
    const waiting = this.byId.get(id);
    if (waiting === undefined) return undefined;
    this.byId.delete(id);
    if (this.byId.size === 0) this.stopTimer();
    return waiting;
  }

  /** Removes every call `which` picks and fails it with the error `errorFor` gives it. */
  failWhere(which: (waiting: Waiting) => boolean, errorFor: (waiting: Waiting) => ServiceError) {
    for (const [id, waiting] of this.byId) {
      if (!which(waiting)) continue;
      this.byId.delete(id);
      waiting.reject(errorFor(waiting));
    }
    if (this.byId.size === 0) this.stopTimer();
  }

  /** Makes the timer fire no later than `deadline`. */
  private watch(deadline: number): void {
    if (deadline >= this.timerAt) return;
    if (this.timer) clearTimeout(this.timer);
    this.timerAt = deadline;
    this.timer = setTimeout(() => this.expire(), Math.max(0, deadline - Date.now()));
  }

  private stopTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.timerAt = Infinity;
  }

  /**
   * Fails every call past its deadline with DEADLINE_EXCEEDED (a late answer is then ignored)
   * and arms the timer for the earliest deadline left. At most one sweep per millisecond, so
   * calls expiring one after another cost a walk per ms, not per call.
   */
  private expire(): void {
    this.timer = undefined;
    this.timerAt = Infinity;
    const now = Date.now();
    let next = Infinity;
    let expired = false;
    for (const [id, waiting] of this.byId) {
      if (waiting.deadline > now) {
        if (waiting.deadline < next) next = waiting.deadline;
        continue;
      }
      this.byId.delete(id);
      expired = true;
      waiting.reject(serviceError(GrpcStatus.DEADLINE_EXCEEDED, 'Deadline exceeded'));
    }
    if (next !== Infinity) this.watch(Math.max(next, now + 1));
    if (expired) this.onExpired();
  }
}
