import type { Etcd3, Watcher } from 'etcd3';
import type { Candidacy } from './candidacy';

/**
 * Step down this long before the election lease could expire in etcd (counted from the last
 * keepalive etcd confirmed), so we stop acting as leader before anyone else can be elected.
 */
const LEASE_SAFETY_MARGIN_MS = 300;
const WATCHDOG_INTERVAL_MS = 100;

/**
 * Watches a leader's own candidacy and calls `lost` the moment leading is no longer safe: its
 * election key was deleted, or etcd has not confirmed its lease for TTL − 300 ms. etcd3's own
 * 'lost' fires only after twice the TTL, by when another replica may already lead.
 */
export class LeadershipGuard {
  private readonly watchdog: NodeJS.Timeout;
  private readonly keyWatcher: Watcher;

  constructor(
    client: Etcd3,
    candidacy: Candidacy,
    ttlSeconds: number,
    private readonly lost: (reason: string) => void,
  ) {
    const ttlMs = ttlSeconds * 1000;
    this.watchdog = setInterval(() => {
      if (!candidacy.leaseObserved) return;
      if (Date.now() - candidacy.lastKeepAliveAt > ttlMs - LEASE_SAFETY_MARGIN_MS) {
        this.lost('lost etcd lease: stepping down (etcd has not confirmed it within the TTL)');
      }
    }, WATCHDOG_INTERVAL_MS);
    this.watchdog.unref();
    this.keyWatcher = client
      .watch()
      .key(candidacy.key!)
      .startRevision((BigInt(candidacy.createRevision!) + 1n).toString())
      .only('delete')
      .watcher();
    this.keyWatcher.on('delete', () =>
      this.lost('lost etcd lease: stepping down (our election key was deleted)'),
    );
    this.keyWatcher.on('error', () => undefined); // the watchdog still covers us
  }

  stop(): void {
    clearInterval(this.watchdog);
    void this.keyWatcher.cancel().catch(() => undefined);
  }
}
