import {
  logStoreErrors,
  type AppendResult,
  type EpochEndOffset,
  type LogRetention,
  type LogStore,
  type ProducerBatchId,
  type ReadResult,
  type RecoveryCut,
  type SegmentFacts,
} from '@distilled/log-store';

interface Entry {
  message: Buffer;
  epoch: number;
}

/**
 * An in-memory LogStore for unit specs of the server only. "Batches" on the follower path are
 * JSON of entries: enough to check that offsets and epochs travel, not the real batch layout.
 */
export class FakeLogStore implements LogStore, LogRetention {
  readonly entries: Entry[] = [];
  private readonly producers = new Map<number, { sequence: number; result: AppendResult }>();
  /** When set, append() waits for this before it resolves (to hold appends in flight). */
  gate?: Promise<void>;
  closed = false;
  recoveryCuts: RecoveryCut[] = [];
  /** Offsets whose read fails as a damaged batch (the batch = that one offset, for simplicity). */
  readonly damaged = new Set<number>();
  private readonly writtenListeners = new Set<() => void>();
  /** Retention: offsets below it read as trimmed (the entries array keeps holes there). */
  logStartOffset = 0;
  segmentsDeleted = 0;

  get sizeBytes(): number {
    return this.entries.reduce((sum, entry) => sum + (entry ? entry.message.length : 0), 0);
  }

  /** One "segment" per entry: enough for the retention decision to have something to cut. */
  segmentFacts(nowMs: number): SegmentFacts[] {
    const facts: SegmentFacts[] = [];
    for (let offset = this.logStartOffset; offset < this.entries.length; offset++) {
      facts.push({
        baseOffset: offset,
        bytes: this.entries[offset].message.length,
        lastWriteMs: nowMs,
      });
    }
    return facts.length
      ? facts
      : [{ baseOffset: this.logStartOffset, bytes: 0, lastWriteMs: nowMs }];
  }

  async advanceStartTo(offset: number): Promise<number> {
    const target = Math.min(offset, this.entries.length);
    if (target <= this.logStartOffset) return 0;
    const deleted = target - this.logStartOffset;
    this.logStartOffset = target;
    this.segmentsDeleted += deleted;
    return deleted;
  }

  async rebaseAt(offset: number): Promise<void> {
    this.entries.length = 0;
    this.entries.length = offset;
    this.logStartOffset = offset;
  }

  get logEndOffset(): number {
    return this.entries.length;
  }

  /** No fsync here: everything written is at once the log end. */
  get writtenEndOffset(): number {
    return this.entries.length;
  }

  onWritten(listener: () => void): () => void {
    this.writtenListeners.add(listener);
    return () => void this.writtenListeners.delete(listener);
  }

  get latestEpoch(): number {
    return this.entries.length > this.logStartOffset
      ? this.entries[this.entries.length - 1].epoch
      : -1;
  }

  async append(
    messages: Buffer[],
    epoch: number,
    producer?: ProducerBatchId,
  ): Promise<AppendResult> {
    if (producer) {
      const seen = this.producers.get(producer.producerId);
      if (seen && seen.sequence === producer.sequence) return { ...seen.result, duplicate: true };
    }
    const result = { baseOffset: this.entries.length, count: messages.length, duplicate: false };
    for (const message of messages) this.entries.push({ message, epoch });
    if (producer) this.producers.set(producer.producerId, { sequence: producer.sequence, result });
    for (const listener of this.writtenListeners) listener();
    if (this.gate) await this.gate;
    return result;
  }

  async appendBatches(batches: Buffer): Promise<number> {
    const parsed = JSON.parse(batches.toString()) as {
      offset: number;
      message: string;
      epoch: number;
    }[];
    for (const entry of parsed) {
      if (entry.offset !== this.entries.length) throw new Error('non-contiguous');
      this.entries.push({ message: Buffer.from(entry.message), epoch: entry.epoch });
    }
    return this.entries.length;
  }

  async read(offset: number): Promise<ReadResult> {
    if (offset < this.logStartOffset) throw logStoreErrors.trimmed(offset, this.logStartOffset);
    if (this.damaged.has(offset) && offset < this.entries.length) {
      throw logStoreErrors.corrupt('fake.log', `batch at offset ${offset} fails its checksum`, {
        baseOffset: offset,
        position: offset,
      });
    }
    const entry = this.entries[offset];
    if (!entry) throw new Error(`offset ${offset} out of range`);
    return { offset, message: entry.message, epoch: entry.epoch };
  }

  async readFrom(offset: number, _maxBytes: number): Promise<Buffer> {
    if (offset >= this.entries.length) return Buffer.alloc(0);
    if (offset < this.logStartOffset) throw logStoreErrors.trimmed(offset, this.logStartOffset);
    const slice = this.entries.slice(offset).map((entry, index) => ({
      offset: offset + index,
      message: entry.message.toString(),
      epoch: entry.epoch,
    }));
    return Buffer.from(JSON.stringify(slice));
  }

  async withBatchesFrom<T>(
    offset: number,
    maxBytes: number,
    use: (batches: Buffer) => T,
  ): Promise<T> {
    return use(await this.readFrom(offset, maxBytes));
  }

  /** Epochs a leader term began (beginEpoch): the fake keeps no epoch file. */
  readonly begunEpochs: number[] = [];

  async beginEpoch(epoch: number): Promise<void> {
    this.begunEpochs.push(epoch);
  }

  async truncateTo(offset: number): Promise<void> {
    this.entries.length = Math.min(this.entries.length, offset);
    for (const damaged of this.damaged) if (damaged >= offset) this.damaged.delete(damaged);
  }

  endOffsetForEpoch(epoch: number): EpochEndOffset {
    let found = -1;
    for (const entry of this.entries)
      if (entry && entry.epoch <= epoch) found = Math.max(found, entry.epoch);
    if (found < 0) return { epoch: -1, endOffset: -1 };
    const next = this.entries.findIndex((entry) => entry && entry.epoch > found);
    return { epoch: found, endOffset: next < 0 ? this.entries.length : next };
  }

  /** What probeSpace answers (a spec sets it false to play a full disk). */
  spaceFree = true;

  async probeSpace(): Promise<boolean> {
    return this.spaceFree;
  }

  async close(): Promise<void> {
    this.closed = true;
  }
}
