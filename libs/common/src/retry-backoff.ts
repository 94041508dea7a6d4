// How long to wait before the next retry, written once: every retry loop here (a follower
// reconnecting, the API retrying an append, etcd registration, election and watch retries)
// waits `initialMs`, then twice that, and so on up to `maxMs`, and starts again at `initialMs`
// after a success. cockatiel's ExponentialBackoff computes the waits; this keeps the one
// mutable "where am I in the sequence" that a loop needs. No jitter, so the waits are exactly
// the documented ones.
import { ExponentialBackoff, noJitterGenerator, type IBackoff } from 'cockatiel';

export class RetryBackoff {
  private readonly policy: ExponentialBackoff<number>;
  private current: IBackoff<unknown>;

  constructor(initialMs: number, maxMs: number) {
    if (!(initialMs > 0) || !(maxMs >= initialMs)) {
      throw new RangeError(`a backoff needs 0 < initialMs <= maxMs (got ${initialMs}, ${maxMs})`);
    }
    this.policy = new ExponentialBackoff({
      initialDelay: initialMs,
      maxDelay: maxMs,
      generator: noJitterGenerator,
    });
    this.current = this.policy.next();
  }

  /** The wait before this retry; the one after it is twice as long, up to the cap. */
  next(): number {
    const wait = this.current.duration;
    this.current = this.current.next(undefined);
    return wait;
  }

  /** After a success: the next wait is the first one again. */
  reset(): void {
    this.current = this.policy.next();
  }
}
