/**
 * Appends that carry an Idempotency-Key, on the leader (apps/server/README.md, "Idempotency-Key and
 * Expected-Offset"): decides, in the leader's append order, whether a keyed request is new
 * (appended, the key in its batch's extension), a retry of a committed request (answered with the
 * original offsets, `duplicate: true`), still in flight (key-in-flight: try again later) or a reuse
 * of the key for another body (key-mismatch).
 *
 * New keyed requests of one turn of the event loop that pass the same `write` and no expected
 * offset share one record batch (a version 2 extension lists each request's key and how many of
 * the batch's messages are its own), as unkeyed appends do in AppendCoalescer: one header, one
 * checksum, one commit wait and one batch for the followers to check, instead of one per
 * request. Each request still gets its own offsets, and the batch is committed or lost whole.
 * A request with an expected offset is decided alone: its condition is on its own first offset.
 *
 * One per LeaderTerm. The key table starts empty and is filled from the log by a scan that
 * starts with the term; keyed appends wait for it (unkeyed ones never do).
 *
 * Concurrency: the check and the `begin` that claims the key run in one synchronous stretch,
 * so two requests with the same key cannot both be appended.
 */
import { TurnBatcher } from '@distilled/common';
import type {
  AppendOptions,
  AppendResult,
  IdempotencyTag,
  KeyedPart,
  LogStore,
} from '@distilled/log-store';
import { ReplicaError } from '../errors/replica-error';
import { coalesceGroups } from './coalesce-groups';
import { IdempotencyKeyTable } from './idempotency-keys';
import { scanKeys, type KeyScanResult } from './key-table-scan';

/** Appends one record batch; `onWritten` runs once it is in the log, before the commit wait. */
export type WriteBatch = (
  messages: Buffer[],
  options: AppendOptions,
  onWritten: (result: AppendResult) => void,
) => Promise<AppendResult>;

export interface KeyedAppendsOptions {
  log: LogStore;
  maxKeys: number;
  windowMs: number;
  highWatermark: () => number;
  now: () => number;
}

/** One keyed request of a group (AppendRequest.parts): its index in the group, its messages, its key. */
export interface KeyedPartRequest {
  index: number;
  messages: Buffer[];
  tag: IdempotencyTag;
}

/** Answers the request at `index` of a group: its result, or (result null) its error. */
export type SettlePart = (index: number, result: AppendResult | null, error: unknown) => void;

/** A new keyed request on its way into a shared batch, its key already claimed. */
interface SharedWrite {
  messages: Buffer[];
  tag: IdempotencyTag;
  /** The table's hash of the key, from its check, for its remember. */
  keyHashed: number;
  write: WriteBatch;
  /** Its messages' bytes plus its key's share of the extension. */
  bytes: number;
  /** Passed back to `settle`: the request's index in its group (0 for a request alone). */
  index: number;
  settle: SettlePart;
}

/** What a keyed request adds to a batch besides its messages: 4 + its records' framing. */
function sharedBytes(messages: Buffer[], tag: IdempotencyTag): number {
  let bytes = 6 + tag.key.length + tag.hash.length;
  for (const message of messages) bytes += 4 + message.length;
  return bytes;
}

export class KeyedAppends {
  readonly table: IdempotencyKeyTable;
  private scan?: Promise<KeyScanResult>;
  /** The scan finished and every request that waited for it has been decided. */
  private ready = false;
  /** Requests waiting for the scan: while any does, later ones queue behind them. */
  private waitingForScan = 0;
  private readonly turn = new TurnBatcher<SharedWrite>((writes) => this.flush(writes));

  constructor(private readonly options: KeyedAppendsOptions) {
    this.table = new IdempotencyKeyTable({ maxKeys: options.maxKeys, windowMs: options.windowMs });
  }

  /**
   * Starts filling the table from the log as it is now (the term's own appends come after);
   * resolves with what the scan read.
   */
  start(): Promise<KeyScanResult> {
    const { log, windowMs, now } = this.options;
    this.scan ??= scanKeys(log, this.table, now() - windowMs, log.logEndOffset);
    return this.scan;
  }

  /**
   * Decides the request (in call order) and appends it if it is new. Once the scan is done the
   * decision is made at once, in the caller's turn, without a promise hop per request: a group
   * of parts (log/append-parts.ts) is decided in one synchronous stretch.
   */
  append(
    messages: Buffer[],
    tag: IdempotencyTag,
    expectedOffset: number | undefined,
    write: WriteBatch,
  ): Promise<AppendResult> {
    if (this.ready) return this.decide(messages, tag, expectedOffset, write);
    this.waitingForScan += 1;
    // Scan failures reject here as before; the order of waiting requests is their call order.
    return this.start().then(
      () => {
        if (--this.waitingForScan === 0) this.ready = true;
        return this.decide(messages, tag, expectedOffset, write);
      },
      (error: unknown) => {
        this.waitingForScan -= 1;
        throw error;
      },
    );
  }

  private decide(
    messages: Buffer[],
    tag: IdempotencyTag,
    expectedOffset: number | undefined,
    write: WriteBatch,
  ): Promise<AppendResult> {
    const keyHashed = this.table.hashOf(tag.key);
    const seen = this.table.check(tag, this.options.highWatermark(), this.options.now(), keyHashed);
    switch (seen.kind) {
      case 'replay':
        return Promise.resolve({ baseOffset: seen.baseOffset, count: seen.count, duplicate: true });
      case 'in-flight':
        return Promise.reject(ReplicaError.keyInFlight(tag.key));
      case 'mismatch':
        return Promise.reject(ReplicaError.keyMismatch(tag.key));
      case 'new':
        break;
    }
    this.table.begin(tag, keyHashed);
    if (expectedOffset === undefined) {
      return new Promise<AppendResult>((resolve, reject) => {
        this.turn.add({
          messages,
          tag,
          keyHashed,
          write,
          bytes: sharedBytes(messages, tag),
          index: 0,
          settle: (_index, result, error) => (result ? resolve(result) : reject(error)),
        });
      });
    }
    return this.appendAlone(messages, tag, keyHashed, expectedOffset, write);
  }

  /**
   * The keyed requests of one Append (its parts, in order), each decided as `append` decides it,
   * and each answered through `settle`. Once the scan is done they are decided in one
   * synchronous stretch and the new ones written at once as the shared batch(es) of the group:
   * no promise, turn or closure per request, and no wait for the end of the turn (the API sends
   * one group at a time, so it is the whole turn's keyed traffic).
   */
  appendParts(parts: readonly KeyedPartRequest[], write: WriteBatch, settle: SettlePart): void {
    if (!this.ready) {
      for (const part of parts) {
        this.append(part.messages, part.tag, undefined, write).then(
          (result) => settle(part.index, result, null),
          (error: unknown) => settle(part.index, null, error),
        );
      }
      return;
    }
    const highWatermark = this.options.highWatermark();
    const now = this.options.now();
    const fresh: SharedWrite[] = [];
    for (const { index, messages, tag } of parts) {
      const keyHashed = this.table.hashOf(tag.key);
      const seen = this.table.check(tag, highWatermark, now, keyHashed);
      switch (seen.kind) {
        case 'replay':
          settle(index, { baseOffset: seen.baseOffset, count: seen.count, duplicate: true }, null);
          continue;
        case 'in-flight':
          settle(index, null, ReplicaError.keyInFlight(tag.key));
          continue;
        case 'mismatch':
          settle(index, null, ReplicaError.keyMismatch(tag.key));
          continue;
        case 'new':
          break;
      }
      this.table.begin(tag, keyHashed);
      fresh.push({
        messages,
        tag,
        keyHashed,
        write,
        bytes: sharedBytes(messages, tag),
        index,
        settle,
      });
    }
    if (fresh.length > 0) this.flush(fresh);
  }

  /** A request with an expected offset: its own record batch, its condition on its own offset. */
  private async appendAlone(
    messages: Buffer[],
    tag: IdempotencyTag,
    keyHashed: number,
    expectedOffset: number,
    write: WriteBatch,
  ): Promise<AppendResult> {
    let written = false;
    try {
      return await write(messages, { idempotency: tag, expectedOffset }, (result) => {
        written = true;
        this.table.remember(tag, result.baseOffset, result.count, this.options.now(), keyHashed);
      });
    } catch (error) {
      // Not written: nothing holds the key. Written but not committed (commit timeout, lost
      // leadership): the key stays, in flight until the high watermark passes it.
      if (!written) this.table.abandon(tag, keyHashed);
      throw error;
    }
  }

  /** A turn's new keyed requests, as few record batches as the size limits allow. */
  private flush(writes: SharedWrite[]): void {
    // Only requests that pass the same write (no producer) may share its batch.
    const groups = coalesceGroups(writes, (next, group) => next.write === group[0].write);
    for (const group of groups) this.send(group);
  }

  private send(group: SharedWrite[]): void {
    const alone = group.length === 1;
    const messages = alone ? group[0].messages : group.flatMap((w) => w.messages);
    const options: AppendOptions = alone
      ? { idempotency: group[0].tag }
      : {
          keyedParts: group.map((w): KeyedPart => ({ tag: w.tag, count: w.messages.length })),
        };
    const settle = (baseOffset: number, each: (w: SharedWrite, offset: number) => void) => {
      let offset = baseOffset;
      for (const w of group) {
        each(w, offset);
        offset += w.messages.length;
      }
    };
    let written = false;
    group[0]
      .write(messages, options, (result) => {
        written = true;
        const now = this.options.now();
        settle(result.baseOffset, (w, offset) =>
          this.table.remember(w.tag, offset, w.messages.length, now, w.keyHashed),
        );
      })
      .then(
        (result) =>
          settle(result.baseOffset, (w, offset) =>
            w.settle(
              w.index,
              { baseOffset: offset, count: w.messages.length, duplicate: false },
              null,
            ),
          ),
        (error: unknown) => {
          // As for a request alone: not written frees every key; written keys stay in flight.
          for (const w of group) {
            if (!written) this.table.abandon(w.tag, w.keyHashed);
            w.settle(w.index, null, error);
          }
        },
      );
  }
}
