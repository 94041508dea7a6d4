import type { Etcd3, IKeyValue, Watcher } from 'etcd3';
import { describeError, RetryBackoff } from '@distilled/common';
import { type ClusterLogger } from './logger';

export interface WatchedRangeOptions {
  /** Watch every key under this prefix... */
  prefix?: string;
  /** ...or exactly this key. */
  key?: string;
  /** Called with the whole range after the first read and after every change. */
  onChange: (kvs: ReadonlyMap<string, IKeyValue>) => void;
  logger: ClusterLogger;
  /** What is watched, for log lines ("members", "cluster state"). */
  what: string;
}

const RETRY_MIN_MS = 100;
const RETRY_MAX_MS = 2_000;

/**
 * A local mirror of an etcd key or prefix: one read, then a watch from the next revision.
 *
 * etcd3's watcher reconnects by itself and resumes from the last revision it saw; after a
 * reconnect we still re-read the range, because the resume revision may have been compacted
 * (the watch is then cancelled) or the server restarted. Events at or below the revision of
 * the last full read are dropped, so a re-read and late events can never move the mirror back.
 * Single-threaded (Node event loop); not shared between clients.
 */
export class WatchedRange {
  private kvs = new Map<string, IKeyValue>();
  /** Revision of the last full read; events at or below it are already in `kvs`. */
  private readRevision = -1n;
  private watcher?: Watcher;
  private started?: Promise<void>;
  private closed = false;
  private retryTimer?: NodeJS.Timeout;
  private wake?: () => void;

  constructor(
    private readonly client: Etcd3,
    private readonly options: WatchedRangeOptions,
  ) {
    if (!options.prefix === !options.key) throw new Error('WatchedRange needs a prefix or a key');
  }

  /** Starts mirroring; resolves after the first successful read (retrying until etcd answers). */
  start(): Promise<void> {
    this.started ??= this.open();
    return this.started;
  }

  current(): ReadonlyMap<string, IKeyValue> {
    return this.kvs;
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.retryTimer);
    this.wake?.();
    const watcher = this.watcher;
    this.watcher = undefined;
    await watcher?.cancel().catch(() => undefined);
  }

  private async open(): Promise<void> {
    const backoff = new RetryBackoff(RETRY_MIN_MS, RETRY_MAX_MS);
    while (!this.closed) {
      try {
        const revision = await this.read();
        if (!this.closed) this.watchFrom(revision + 1n);
        return;
      } catch (err) {
        const delay = backoff.next();
        this.options.logger.warn(
          `cannot read ${this.options.what} from etcd (${describeError(err)}); retrying in ${delay} ms`,
        );
        await this.pause(delay);
      }
    }
  }

  /** A retry pause that close() cuts short, so start() never hangs after close(). */
  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      this.wake = resolve;
      this.retryTimer = setTimeout(resolve, ms);
    });
  }

  /** Replaces the mirror with a fresh read unless a newer one already happened. */
  private async read(): Promise<bigint> {
    const { prefix, key } = this.options;
    const res = prefix
      ? await this.client.getAll().prefix(prefix).exec()
      : await this.client.get(key!).exec();
    const revision = BigInt(res.header.revision);
    if (revision > this.readRevision) {
      this.readRevision = revision;
      this.kvs = new Map(res.kvs.map((kv) => [kv.key.toString(), kv]));
      this.options.onChange(this.kvs);
    }
    return revision;
  }

  private watchFrom(revision: bigint): void {
    const builder = this.client.watch().startRevision(revision.toString());
    const watcher = this.options.prefix
      ? builder.prefix(this.options.prefix).watcher()
      : builder.key(this.options.key!).watcher();
    this.watcher = watcher;
    let dirty = false;
    let disconnected = false;
    const apply = (kv: IKeyValue, deleted: boolean) => {
      // A delete event carries the revision of the delete in mod_revision.
      if (BigInt(kv.mod_revision) <= this.readRevision) return;
      const next = new Map(this.kvs);
      if (deleted) next.delete(kv.key.toString());
      else next.set(kv.key.toString(), kv);
      this.kvs = next;
      dirty = true;
    };
    watcher.on('put', (kv) => apply(kv, false));
    watcher.on('delete', (kv) => apply(kv, true));
    // etcd3 emits put/delete for a whole response before 'data': one notification per batch.
    watcher.on('data', () => {
      if (!dirty) return;
      dirty = false;
      this.options.onChange(this.kvs);
    });
    watcher.on('disconnected', (err: Error) => {
      if (!disconnected) {
        this.options.logger.warn(
          `lost the etcd watch on ${this.options.what} (${describeError(err)}); reconnecting`,
        );
      }
      disconnected = true;
    });
    watcher.on('connected', () => {
      if (!disconnected) return;
      disconnected = false;
      this.options.logger.log(`etcd watch on ${this.options.what} is back; re-reading`);
      this.read().catch((err) =>
        this.options.logger.warn(
          `re-read of ${this.options.what} failed (${describeError(err)}); relying on the watch`,
        ),
      );
    });
    // A cancelled watch (for example its revision was compacted) never comes back: start over.
    watcher.on('error', (err: Error) => {
      if (this.watcher !== watcher || this.closed) return;
      this.options.logger.warn(
        `etcd cancelled the watch on ${this.options.what} (${describeError(err)}); restarting it`,
      );
      this.watcher = undefined;
      void watcher.cancel().catch(() => undefined);
      this.retryTimer = setTimeout(() => void this.open(), RETRY_MIN_MS);
    });
  }
}
