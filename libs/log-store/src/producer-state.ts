/**
 * Idempotent-producer memory (libs/log-store README, "Guarantees"; Kafka's ProducerStateManager,
 * simplified): for each producer id, its highest sequence and every batch it stored with a sequence
 * in the window (highest - PRODUCER_WINDOW, highest], so a retried batch is answered with its
 * original offsets instead of being appended twice.
 *
 * The window is a range of sequences, not "the last N batches": a producer with several batches
 * in flight may see them stored out of order (a retry of an older one after a newer one), and a
 * sequence inside the range that is not remembered was never stored, so it is new. Below the
 * range a batch is stale: the log cannot tell whether it holds it. A producer must therefore keep
 * its unanswered batches within PRODUCER_WINDOW sequences of each other (the API's producer does).
 *
 * No file: the state is rebuilt from batch headers when the log opens (last two segments, so the
 * work is bounded) and after truncateTo. A producer whose last batch is older than that is
 * forgotten, and its next batch is simply appended; retries come seconds later, not segments.
 *
 * Entries for batches still waiting in the group-commit queue carry the promise of their append,
 * so a retry that arrives before the original is written waits for it instead of duplicating it.
 *
 * Concurrency: owned by Log; plain synchronous map updates on the event loop.
 */
import type { AppendResult } from './log-store.interface';

/** How many sequences back a retry is still recognised (Kafka keeps 5 batches in flight). */
export const PRODUCER_WINDOW = 5;

export interface RememberedBatch {
  sequence: number;
  count: number;
  /** Known once written; undefined while the batch waits in the queue. */
  baseOffset?: number;
  /** The original append, while it is pending. */
  pending?: Promise<AppendResult>;
}

interface ProducerEntry {
  /** The highest sequence ever recorded (never lowered while the entry lives). */
  lastSequence: number;
  /**
   * The lowest sequence recorded since this entry was made (a new producer, one forgotten by the
   * LRU, or a rebuild that saw only part of the log): below it, "not remembered" does not mean
   * "never stored", so such a sequence is stale, not new.
   */
  floor: number;
  /** The stored batches with a sequence in (lastSequence - PRODUCER_WINDOW, lastSequence]. */
  batches: Map<number, RememberedBatch>;
}

export type SequenceCheck =
  | { kind: 'new' }
  | { kind: 'duplicate'; batch: RememberedBatch }
  | { kind: 'stale'; lastSequence: number };

export class ProducerStateTable {
  private readonly producers = new Map<number, ProducerEntry>();

  /** `maxProducers` bounds memory: the least recently active producers are forgotten first. */
  constructor(private readonly maxProducers = 10_000) {}

  get size(): number {
    return this.producers.size;
  }

  check(producerId: number, sequence: number): SequenceCheck {
    const entry = this.producers.get(producerId);
    if (!entry) return { kind: 'new' };
    const batch = entry.batches.get(sequence);
    if (batch) return { kind: 'duplicate', batch };
    if (sequence > entry.lastSequence - PRODUCER_WINDOW && sequence >= entry.floor) {
      return { kind: 'new' };
    }
    return { kind: 'stale', lastSequence: entry.lastSequence };
  }

  /** Remembers a batch; returns the record so the writer can fill in its offset later. */
  record(producerId: number, batch: RememberedBatch): RememberedBatch {
    let entry = this.producers.get(producerId);
    if (entry) {
      this.producers.delete(producerId); // re-insert: Map order is our LRU order
    } else {
      entry = { lastSequence: batch.sequence, floor: batch.sequence, batches: new Map() };
      if (this.producers.size >= this.maxProducers) {
        const oldest = this.producers.keys().next();
        if (!oldest.done) this.producers.delete(oldest.value);
      }
    }
    this.producers.set(producerId, entry);
    entry.batches.set(batch.sequence, batch);
    if (batch.sequence < entry.floor) entry.floor = batch.sequence;
    if (batch.sequence > entry.lastSequence) {
      entry.lastSequence = batch.sequence;
      const floor = entry.lastSequence - PRODUCER_WINDOW;
      for (const sequence of entry.batches.keys()) {
        if (sequence <= floor) entry.batches.delete(sequence);
      }
    }
    return batch;
  }

  /**
   * Remembers a batch the log already holds (read from its header at open or after a cut, or
   * a follower batch just written). Batches without a producer (id 0) are not remembered.
   */
  recordStored(batch: {
    producerId: number;
    sequence: number;
    count: number;
    baseOffset: number;
  }): void {
    if (batch.producerId === 0) return;
    this.record(batch.producerId, {
      sequence: batch.sequence,
      count: batch.count,
      baseOffset: batch.baseOffset,
    });
  }

  /** Forgets a batch that was refused or failed before it was written, so a retry can append it. */
  forget(producerId: number, batch: RememberedBatch): void {
    const entry = this.producers.get(producerId);
    if (!entry || entry.batches.get(batch.sequence) !== batch) return;
    entry.batches.delete(batch.sequence);
    // An empty window means nothing of this producer is remembered: start afresh. Otherwise the
    // highest sequence stays: a sequence in the window that is not remembered is new anyway.
    if (entry.batches.size === 0) this.producers.delete(producerId);
  }

  clear(): void {
    this.producers.clear();
  }
}
