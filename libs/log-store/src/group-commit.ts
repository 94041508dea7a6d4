/**
 * The log's single writer (group commit). Appends, follower appends, truncation, interval
 * fsyncs and close all run one at a time on one promise chain. An append only queues an encoded
 * batch; when the chain gets to the queue it takes everything waiting, stamps offsets in arrival
 * order, and writes it with one writev and one fdatasync per segment touched.
 *
 * Two ends: `endOffset` (committed: written and, with fsync `always`, synced; what reads see)
 * and `writtenEnd` (>= endOffset: also the batches of a group whose fdatasync still runs, which
 * a leader may ship to followers so the two fsyncs overlap; onWritten listeners hear of them as
 * soon as the writev returns).
 *
 * A write the disk refuses for lack of space (ENOSPC, EDQUOT) fails only its group, with
 * DISK_FULL: the tail is cut back to the committed end first (refused-write.ts) and the next
 * group tries again. Any other failed write, and every failed fsync, stops all writing (the
 * file state is unknown after a failed fsync: disk-full.ts says why): everything waiting is
 * rejected with CORRUPT and a reopen re-validates the tail.
 *
 * A small group of follower batches with nothing queued behind it is synced on the event loop's
 * own thread (fdatasyncSync): a follower fetches one response at a time and acknowledges only
 * once it is synced, so its loop has nothing else to do meanwhile, and the thread pool's two
 * hand-offs (there and back) would sit on every commit's path. Leader groups always sync on the
 * pool: the leader ships the written group to its followers during its own fsync (writtenEnd),
 * and a blocked loop would hold those sends back; so are large follower groups (catch-up), so
 * that reads served by the follower do not wait behind a long sync.
 *
 * Concurrency: owned by Log; everything that changes files goes through runExclusive.
 */
import { fsyncOrFatal, isDiskFull } from './disk-full';
import { LogStoreError, logStoreErrors } from './errors';
import type { EpochFile } from './epoch-file';
import type { LogSegments } from './log-segments';
import type { FsyncPolicy } from './log-store.interface';
import type { ProducerStateTable, RememberedBatch } from './producer-state';
import { admitGroup, type Accepted, type QueuedWrite } from './queued-write';
import { cutRefusedTail } from './refused-write';
import type { Segment, SegmentLogger } from './segment';

/** Counters, mostly so tests and benchmarks can see group commit working. */
export interface LogStats {
  /** writev calls to segment files. */
  writes: number;
  /** fdatasync calls on segment files. */
  fsyncs: number;
  /** Of those, made on the event loop's thread (small follower groups). */
  fsyncsOnLoop: number;
  /** Batches appended (both paths). */
  batches: number;
  /** Groups the disk refused for lack of space (each cut back and rejected with DISK_FULL). */
  diskFullRefusals: number;
}

/**
 * The last group written, kept in memory so the leader's fetch sessions (which ask for exactly
 * it at steady state) get it without a positional read and a walk of the segment's tail.
 */
export interface WrittenGroup {
  baseOffset: number;
  endOffset: number;
  /** The group's record batches, as written (offsets stamped). */
  bytes: Buffer[];
  byteLength: number;
  /** `bytes` as one buffer, made by the first read that wanted it (groupBytes). */
  joined?: Buffer;
}

/**
 * The written group as one buffer, shared by every read of it: each follower fetches the same
 * group at steady state, and a group of one record batch (a producer's batch) is that batch's
 * own buffer, so the leader copies none of it to ship it.
 */
export function groupBytes(group: WrittenGroup): Buffer {
  group.joined ??=
    group.bytes.length === 1 ? group.bytes[0] : Buffer.concat(group.bytes, group.byteLength);
  return group.joined;
}

/** Groups up to this size are kept as the written group (a fetch response's size). */
export const WRITTEN_GROUP_MAX_BYTES = 1024 * 1024;

/** Follower groups up to this size sync on the event loop's thread (see the class comment). */
export const FOLLOWER_SYNC_ON_LOOP_BYTES = 64 * 1024;

export interface GroupCommitOptions {
  segmentBytes: number;
  fsync: FsyncPolicy;
  fsyncIntervalMs: number;
  logger: SegmentLogger;
}

export class GroupCommitWriter {
  private queue: QueuedWrite[] = [];
  private flushScheduled = false;
  private chain: Promise<void> = Promise.resolve();
  /** Highest epoch in the log or the queue: appends below it are refused at once. */
  private queued: number;
  private dirty = false;
  private stopped = false;
  private timer: NodeJS.Timeout | null = null;
  /** Set when a write or fsync failed: the file state is unknown, so writes stop. */
  private failed: Error | null = null;
  private committedEnd: number;
  private writtenEndOffset: number;
  private readonly writtenListeners = new Set<() => void>();
  private lastGroup: WrittenGroup | null = null;
  private readonly counters: LogStats = {
    writes: 0,
    fsyncs: 0,
    fsyncsOnLoop: 0,
    batches: 0,
    diskFullRefusals: 0,
  };

  constructor(
    private readonly segments: LogSegments,
    private readonly epochs: EpochFile,
    private readonly producers: ProducerStateTable,
    private readonly options: GroupCommitOptions,
    endOffset: number,
  ) {
    this.committedEnd = endOffset;
    this.writtenEndOffset = endOffset;
    this.queued = epochs.latestEpoch;
    if (options.fsync === 'interval') {
      this.timer = setInterval(() => this.intervalSync(), options.fsyncIntervalMs);
      this.timer.unref();
    }
  }

  /** Offset of the next message; everything below it is written (and synced, with `always`). */
  get endOffset(): number {
    return this.committedEnd;
  }

  /** End of the whole batches written, synced or not; endOffset again after a failed write. */
  get writtenEnd(): number {
    return this.writtenEndOffset;
  }

  get queuedEpoch(): number {
    return this.queued;
  }

  /** The last group written (synced or not) if it is still the log's tail and small. */
  get writtenGroup(): WrittenGroup | null {
    return this.lastGroup;
  }

  get failure(): Error | null {
    return this.failed;
  }

  /** Nothing is queued or about to be flushed. */
  get idle(): boolean {
    return this.queue.length === 0 && !this.flushScheduled;
  }

  get stats(): Readonly<LogStats> {
    return { ...this.counters };
  }

  onWritten(listener: () => void): () => void {
    this.writtenListeners.add(listener);
    return () => {
      this.writtenListeners.delete(listener);
    };
  }

  /** Runs `task` on the writer chain, after everything queued before it. */
  runExclusive<T>(task: () => Promise<T>): Promise<T> {
    const run = this.chain.then(task);
    this.chain = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  }

  /** Queues a checked write; the next flush takes it with everything else waiting. */
  enqueue(item: QueuedWrite): void {
    this.queued = Math.max(this.queued, item.batches[item.batches.length - 1].epoch);
    this.queue.push(item);
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    // Scheduled on the chain, so it starts when the write in flight (if any) has finished:
    // everything queued meanwhile goes into the next write together.
    void this.runExclusive(() => this.flushQueue());
  }

  /** Truncation moved the log end back (on the chain): nothing past `end` is served. */
  rewindTo(end: number): void {
    this.lastGroup = null;
    this.committedEnd = end;
    this.writtenEndOffset = end;
  }

  /** The queued epoch from the epoch file and what is still queued (after a refusal or a cut). */
  refreshQueuedEpoch(): void {
    this.queued = this.epochs.latestEpoch;
    for (const item of this.queue) {
      this.queued = Math.max(this.queued, item.batches[item.batches.length - 1].epoch);
    }
  }

  /** Dedupe records of the leader appends still queued (kept across a producer-state rebuild). */
  *queuedProducerBatches(): Iterable<{ producerId: number; batch: RememberedBatch }> {
    for (const item of this.queue) if (item.remembered) yield item.remembered;
  }

  /** Stops the interval fsync timer (close). */
  stopTimer(): void {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
  }

  private async flushQueue(): Promise<void> {
    this.flushScheduled = false;
    const group = this.queue;
    this.queue = [];
    if (group.length === 0) return;
    if (this.failed) {
      for (const item of group) this.rejectItem(item, this.failed);
      return;
    }
    try {
      const { accepted, epochsChanged } = admitGroup(
        group,
        this.committedEnd,
        this.epochs,
        (item, err) => this.rejectItem(item, err),
      );
      if (accepted.length > 0) {
        if (epochsChanged) await this.epochs.persist();
        await this.write(accepted);
      }
    } catch (err) {
      if (isDiskFull(err)) await this.refuseForFullDisk(err, group);
      else this.fail(err instanceof Error ? err : new Error(String(err)), group);
    }
    // A refused follower batch may have raised it; only what is written or still queued counts.
    this.refreshQueuedEpoch();
  }

  private rejectItem(item: QueuedWrite, err: Error): void {
    if (item.settled) return;
    item.settled = true;
    if (item.remembered) this.producers.forget(item.remembered.producerId, item.remembered.batch);
    item.reject(err);
  }

  /**
   * Writes admitted items: one writev per segment, fsync, commit. The segment rolls before any
   * batch that would take it past segmentBytes, also between the batches of one write (a
   * follower's write is a whole fetch response, up to a MiB): no segment holds more than
   * segmentBytes unless one batch alone is larger, so a replica's disk stays within its
   * retention limit plus one segment. A roll commits what the sealed segment holds, so a write
   * split over two segments may be partly readable before it resolves.
   */
  private async write(accepted: Accepted[]): Promise<void> {
    const last = accepted[accepted.length - 1];
    const end = last.base + last.item.count;
    const syncOnLoop = this.syncsOnLoop(accepted);
    let segment = this.segments.active;
    let position = segment.size;
    let run: Buffer[] = [];
    let runBytes = 0;
    let runItems: Accepted[] = [];
    let rolled = false;
    this.lastGroup = null;
    const writeRun = async (): Promise<void> => {
      if (run.length === 0) return;
      await segment.write(run, position);
      this.counters.writes++;
      position += runBytes;
      run = [];
      runBytes = 0;
    };
    const queue = (bytes: Buffer): void => {
      if (bytes.length === 0) return;
      run.push(bytes);
      runBytes += bytes.length;
    };

    for (const entry of accepted) {
      const { item, base } = entry;
      // Bytes of `item` before `from` are queued for an earlier segment.
      let from = 0;
      for (let i = 0; i < item.batches.length; i++) {
        const batch = item.batches[i];
        const batchEnd = i + 1 < item.batches.length ? item.batches[i + 1].at : item.bytes.length;
        const used = position + runBytes + batch.at - from;
        if (used > 0 && used + batchEnd - batch.at > this.options.segmentBytes) {
          queue(item.bytes.subarray(from, batch.at));
          from = batch.at;
          await writeRun();
          // seal() split in two: its fsync failing is fatal, its index write may be a full disk.
          await fsyncOrFatal(() => segment.sync());
          this.counters.fsyncs++;
          await segment.writeIndex();
          this.commit(segment, position, base + batch.delta, runItems);
          runItems = [];
          segment = await this.segments.roll(base + batch.delta);
          rolled = true;
          position = 0;
        }
        segment.index.maybeAdd(
          base + batch.delta - segment.baseOffset,
          position + runBytes + batch.at - from,
        );
      }
      queue(from === 0 ? item.bytes : item.bytes.subarray(from));
      runItems.push(entry);
    }
    const group: WrittenGroup = {
      baseOffset: accepted[0].base,
      endOffset: end,
      bytes: run,
      byteLength: runBytes,
    };
    await writeRun();
    if (!rolled && group.byteLength <= WRITTEN_GROUP_MAX_BYTES) this.lastGroup = group;
    if (this.options.fsync === 'always') {
      // Written, not yet synced: replication may ship it while the fdatasync runs.
      segment.written = position;
      this.writtenEndOffset = end;
      this.notifyWritten();
      await fsyncOrFatal(async () =>
        syncOnLoop ? segment.syncOnThisThread() : await segment.sync(),
      );
      this.counters.fsyncs++;
      if (syncOnLoop) this.counters.fsyncsOnLoop++;
    } else {
      this.dirty = true;
    }
    this.commit(segment, position, end, runItems);
    if (this.options.fsync !== 'always') this.notifyWritten();
  }

  /** A small group of follower batches only, nothing queued behind it (see the class comment). */
  private syncsOnLoop(accepted: Accepted[]): boolean {
    if (this.queue.length > 0) return false;
    let bytes = 0;
    for (const { item } of accepted) {
      if (item.fixedBaseOffset === null) return false;
      bytes += item.bytes.length;
    }
    return bytes <= FOLLOWER_SYNC_ON_LOOP_BYTES;
  }

  /** Everything up to `position` of `segment` (offset `end`) is durable: settle its writes. */
  private commit(segment: Segment, position: number, end: number, items: Accepted[]): void {
    segment.size = position;
    if (segment.written < position) segment.written = position;
    this.committedEnd = end;
    if (this.writtenEndOffset < end) this.writtenEndOffset = end;
    for (const { item, base } of items) {
      if (item.remembered) {
        item.remembered.batch.baseOffset = base;
        item.remembered.batch.pending = undefined;
      } else {
        for (const b of item.batches)
          this.producers.recordStored({ ...b, baseOffset: base + b.delta });
      }
      this.counters.batches += item.batches.length;
      item.settled = true;
      item.resolve(base, base + item.count);
    }
  }

  private notifyWritten(): void {
    for (const listener of this.writtenListeners) {
      try {
        listener();
      } catch (err) {
        this.options.logger.warn(`log-store: an onWritten listener threw: ${String(err)}`);
      }
    }
  }

  private intervalSync(): void {
    if (!this.dirty || this.stopped || this.failed) return;
    void this.runExclusive(async () => {
      if (!this.dirty || this.failed) return;
      this.dirty = false;
      try {
        await this.segments.active.sync();
        this.counters.fsyncs++;
      } catch (err) {
        this.fail(err instanceof Error ? err : new Error(String(err)), []);
      }
    });
  }

  /**
   * The disk refused part of `group` for lack of space: cut the tail back to the committed end,
   * then reject what of the group is not committed with DISK_FULL. What is queued behind it stays
   * queued: the next group is the next try. If the cut fails too, the tail is unknown: fail().
   */
  private async refuseForFullDisk(err: unknown, group: QueuedWrite[]): Promise<void> {
    this.lastGroup = null;
    this.writtenEndOffset = this.committedEnd;
    try {
      await cutRefusedTail(this.segments, this.epochs, this.committedEnd, this.options.logger);
    } catch (cutError) {
      const why = cutError instanceof Error ? cutError.message : String(cutError);
      this.fail(new Error(`${String(err)}; cutting the refused tail failed: ${why}`), group);
      return;
    }
    this.counters.diskFullRefusals++;
    const refusal = logStoreErrors.diskFull(
      this.segments.dir,
      err instanceof Error ? err.message : String(err),
    );
    for (const item of group) this.rejectItem(item, refusal);
  }

  /**
   * A write or fsync failed. After a failed fsync the kernel may have dropped the dirty pages,
   * so nothing written since the last good sync can be trusted: stop writing, reject everything
   * waiting, and let a reopen re-validate the tail. Reads of committed data keep working.
   */
  private fail(err: Error, group: QueuedWrite[]): void {
    this.failed = new LogStoreError(
      'CORRUPT',
      `log-store: write failed, reopen the log to recover: ${err.message}`,
      { cause: err.message },
    );
    this.options.logger.warn(this.failed.message);
    this.lastGroup = null;
    this.writtenEndOffset = this.committedEnd;
    this.segments.active.written = this.segments.active.size;
    const waiting = [...group, ...this.queue];
    this.queue = [];
    for (const item of waiting) this.rejectItem(item, this.failed);
  }
}
