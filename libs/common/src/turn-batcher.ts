// "Collect what arrives in this turn of the event loop, then hand it over at once": the API's
// writes and reads, the replica's AppendStream answers and producer-less appends, and the
// AppendStream client's requests all batch this way. One mechanism, so each of them is only
// its flush.

/** Runs `flush` once, later in this turn or on the next one. */
export type TurnScheduler = (flush: () => void) => void;

/**
 * After the microtasks of the current operation, before any I/O: what settles together (one
 * committed batch's callers) leaves together, with no added delay.
 */
export const afterMicrotasks: TurnScheduler = (flush) => process.nextTick(flush);

/** After the I/O callbacks of this turn of the event loop: everything that arrived in it. */
export const nextTurn: TurnScheduler = (flush) => setImmediate(flush);

export interface TurnBatcherOptions {
  /** When the flush runs (default nextTurn). */
  schedule?: TurnScheduler;
  /** Hand over at most this many items per flush; the rest go in a flush of their own. */
  maxItems?: number;
}

/**
 * Items added before the scheduled flush runs reach `flush` together, in the order they were
 * added. The first add schedules the flush; later ones ride on it, so a burst costs one
 * scheduling and no allocation per item beyond the array slot. `flush` must not throw: it owns
 * the items and answers their callers.
 */
export class TurnBatcher<T> {
  private items: T[] = [];
  private scheduled = false;
  private readonly schedule: TurnScheduler;
  private readonly maxItems: number;
  private readonly run = (): void => {
    this.scheduled = false;
    let items = this.items;
    if (items.length === 0) return;
    if (items.length > this.maxItems) {
      items = items.splice(0, this.maxItems);
      this.arm();
    } else {
      this.items = [];
    }
    this.flush(items);
  };

  constructor(
    private readonly flush: (items: T[]) => void,
    options: TurnBatcherOptions = {},
  ) {
    this.schedule = options.schedule ?? nextTurn;
    this.maxItems = options.maxItems ?? Infinity;
  }

  add(item: T): void {
    this.items.push(item);
    this.arm();
  }

  /** Items waiting for the flush. */
  get size(): number {
    return this.items.length;
  }

  /**
   * Takes back what waits, unflushed (its destination failed; the caller answers it). A flush
   * already scheduled then finds only what is added after this.
   */
  discard(): T[] {
    const items = this.items;
    this.items = [];
    return items;
  }

  private arm(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    this.schedule(this.run);
  }
}
