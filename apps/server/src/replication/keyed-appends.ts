/**
 * Appends that carry an Idempotency-Key, on the leader (apps/server/README.md, "Idempotency-Key and
 * Expected-Offset"): decides, in the leader's append order, whether a keyed request is new
 * (appended as a record batch of its own, the key in its extension), a retry of a committed request
 * (answered with the original offsets, `duplicate: true`), still in flight (key-in-flight: try
 * again later) or a reuse of the key for another body (key-mismatch).
 *
 * One per LeaderTerm. The key table starts empty and is filled from the log by a scan that
 * starts with the term; keyed appends wait for it (unkeyed ones never do).
 *
 * Concurrency: the check and the `begin` that claims the key run in one synchronous stretch,
 * so two requests with the same key cannot both be appended.
 */
import type { AppendOptions, AppendResult, IdempotencyTag, LogStore } from '@distilled/log-store';
import { ReplicaError } from '../errors/replica-error';
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

export class KeyedAppends {
  readonly table: IdempotencyKeyTable;
  private scan?: Promise<KeyScanResult>;

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

  async append(
    messages: Buffer[],
    tag: IdempotencyTag,
    expectedOffset: number | undefined,
    write: WriteBatch,
  ): Promise<AppendResult> {
    await this.start();
    const seen = this.table.check(tag, this.options.highWatermark(), this.options.now());
    switch (seen.kind) {
      case 'replay':
        return { baseOffset: seen.baseOffset, count: seen.count, duplicate: true };
      case 'in-flight':
        throw ReplicaError.keyInFlight(tag.key);
      case 'mismatch':
        throw ReplicaError.keyMismatch(tag.key);
      case 'new':
        break;
    }
    this.table.begin(tag);
    let written = false;
    try {
      return await write(messages, { idempotency: tag, expectedOffset }, (result) => {
        written = true;
        this.table.remember(tag, result.baseOffset, result.count, this.options.now());
      });
    } catch (error) {
      // Not written: nothing holds the key. Written but not committed (commit timeout, lost
      // leadership): the key stays, in flight until the high watermark passes it.
      if (!written) this.table.abandon(tag);
      throw error;
    }
  }
}
