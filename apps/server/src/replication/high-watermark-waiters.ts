/**
 * Calls parked until this replica's high watermark passes an offset: long-poll ReadRange and
 * Follow streams at the tail. HighWatermark.waitPast scans every waiter on each advance, which is
 * right for its rare reads after an election but not for hundreds of long-polls at a thousand
 * commits a second; here the waiters sit in a min-heap by offset, so an advance touches only the
 * waiters it releases. Single-threaded (the event loop); no locking.
 */
import type { HighWatermark } from './high-watermark';

interface Waiter {
  offset: number;
  settled: boolean;
  resolve(passed: boolean): void;
  timer: NodeJS.Timeout;
}

export class HighWatermarkWaiters {
  private readonly heap: Waiter[] = [];
  /** Waiters in the heap that already timed out. */
  private timedOut = 0;
  private readonly unsubscribe: () => void;

  constructor(private readonly highWatermark: HighWatermark) {
    this.unsubscribe = highWatermark.onAdvance((value) => this.release(value));
  }

  /** Calls waiting now. */
  get size(): number {
    return this.heap.length - this.timedOut;
  }

  /**
   * Resolves true once `offset` is below the high watermark (at once when it already is), false
   * when `timeoutMs` passes first.
   */
  waitPast(offset: number, timeoutMs: number): Promise<boolean> {
    if (offset < this.highWatermark.value) return Promise.resolve(true);
    return new Promise((resolve) => {
      const waiter: Waiter = {
        offset,
        settled: false,
        resolve,
        timer: setTimeout(() => this.settle(waiter, false), Math.max(0, timeoutMs)),
      };
      this.push(waiter);
      // Timed-out waiters stay in the heap until an advance passes them; drop them when they
      // are most of it (a tail nobody writes to, long-polls timing out one after another).
      if (this.timedOut > 1024 && this.timedOut * 2 > this.heap.length) this.compact();
    });
  }

  /** Releases every waiter with `false` (the replica stops) and stops listening. */
  close(): void {
    this.unsubscribe();
    for (const waiter of this.heap.splice(0)) this.settle(waiter, false);
    this.timedOut = 0;
  }

  private release(highWatermark: number): void {
    while (this.heap.length > 0 && this.heap[0].offset < highWatermark) {
      this.settle(this.pop(), true);
    }
  }

  private settle(waiter: Waiter, passed: boolean): void {
    if (waiter.settled) {
      this.timedOut -= 1; // popped or dropped after it timed out
      return;
    }
    waiter.settled = true;
    if (!passed) this.timedOut += 1;
    clearTimeout(waiter.timer);
    waiter.resolve(passed);
  }

  private push(waiter: Waiter): void {
    const heap = this.heap;
    heap.push(waiter);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (heap[parent].offset <= heap[i].offset) break;
      [heap[parent], heap[i]] = [heap[i], heap[parent]];
      i = parent;
    }
  }

  private pop(): Waiter {
    const heap = this.heap;
    const top = heap[0];
    const last = heap.pop()!;
    if (heap.length > 0) {
      heap[0] = last;
      let i = 0;
      for (;;) {
        const left = 2 * i + 1;
        const right = left + 1;
        let smallest = i;
        if (left < heap.length && heap[left].offset < heap[smallest].offset) smallest = left;
        if (right < heap.length && heap[right].offset < heap[smallest].offset) smallest = right;
        if (smallest === i) break;
        [heap[smallest], heap[i]] = [heap[i], heap[smallest]];
        i = smallest;
      }
    }
    return top;
  }

  private compact(): void {
    const live = this.heap.filter((waiter) => !waiter.settled);
    this.heap.length = 0;
    this.timedOut = 0;
    for (const waiter of live) this.push(waiter);
  }
}
