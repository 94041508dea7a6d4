/**
 * Idempotent-producer memory (DESIGN.md B.4, Kafka's ProducerStateManager, simplified): for each
 * producer id, its last sequence and the last few batches' (sequence, baseOffset, count), so a
 * retried batch is answered with its original offsets instead of being appended twice.
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

/** How many recent batches are remembered per producer (Kafka keeps 5 in flight). */
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
  lastSequence: number;
  recent: RememberedBatch[];
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
    if (!entry || sequence > entry.lastSequence) return { kind: 'new' };
    const batch = entry.recent.find((b) => b.sequence === sequence);
    if (batch) return { kind: 'duplicate', batch };
    return { kind: 'stale', lastSequence: entry.lastSequence };
  }

  /** Remembers a batch; returns the record so the writer can fill in its offset later. */
  record(producerId: number, batch: RememberedBatch): RememberedBatch {
    let entry = this.producers.get(producerId);
    if (entry) {
      this.producers.delete(producerId); // re-insert: Map order is our LRU order
    } else {
      entry = { lastSequence: batch.sequence, recent: [] };
      if (this.producers.size >= this.maxProducers) {
        const oldest = this.producers.keys().next();
        if (!oldest.done) this.producers.delete(oldest.value);
      }
    }
    this.producers.set(producerId, entry);
    entry.lastSequence = Math.max(entry.lastSequence, batch.sequence);
    entry.recent.push(batch);
    if (entry.recent.length > PRODUCER_WINDOW) entry.recent.shift();
    return batch;
  }

  /** Forgets a batch that was refused or failed before it was written, so a retry can append it. */
  forget(producerId: number, batch: RememberedBatch): void {
    const entry = this.producers.get(producerId);
    if (!entry) return;
    const i = entry.recent.indexOf(batch);
    if (i < 0) return;
    entry.recent.splice(i, 1);
    // An empty window means this was the producer's only batch: nothing older was pushed out.
    if (entry.recent.length === 0) this.producers.delete(producerId);
    else entry.lastSequence = Math.max(...entry.recent.map((b) => b.sequence));
  }

  clear(): void {
    this.producers.clear();
  }
}
