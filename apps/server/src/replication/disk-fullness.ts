/**
 * Whether this replica's disk refuses its log writes right now (the log's DISK_FULL), as the
 * rest of the replica sees it: set by the first refused append (LogFailures), cleared by the
 * first append or space probe that gets through (ReportingLogStore, DiskFullWatch). Only the
 * changes are events, so the log lines and the handover happen once per episode, not per write.
 *
 * Owned by ReplicaState like HighWatermark, so replication and election need not depend on the
 * disk folder. Concurrency: plain fields on the event loop; listeners run synchronously.
 */
export type DiskFullnessListener = (full: boolean) => void;

export class DiskFullness {
  private fullSince: number | null = null;
  private lastCause = '';
  private count = 0;
  private lastMs = 0;
  private lastHow = '';
  /** Writes (and space probes) that got through so far: see refused's `writesAtStart`. */
  private writes = 0;
  private readonly listeners = new Set<DiskFullnessListener>();

  constructor(private readonly now: () => number = Date.now) {}

  get full(): boolean {
    return this.fullSince !== null;
  }

  /** When the current episode began (ms since the epoch), null while the disk takes writes. */
  get since(): number | null {
    return this.fullSince;
  }

  /** What the log said when it first refused (the directory and the errno). */
  get cause(): string {
    return this.lastCause;
  }

  /** How long the last finished episode lasted, and what ended it. */
  get lastEpisode(): { ms: number; endedBy: string } {
    return { ms: this.lastMs, endedBy: this.lastHow };
  }

  /** Episodes of a full disk since the replica started. */
  get episodes(): number {
    return this.count;
  }

  /** How many writes got through so far; a write takes it when it starts (see refused). */
  get writesSeen(): number {
    return this.writes;
  }

  /**
   * The log refused a write for lack of space. True when this began an episode. With
   * `writesAtStart` (writesSeen when that write started), a refusal of a write that started
   * before another got through is stale: it may have met the full disk before the space came
   * back, and opening an episode for it would hand leadership over for nothing. If the disk
   * is full again, the next write says so.
   */
  refused(cause: string, writesAtStart?: number): boolean {
    if (this.fullSince !== null) return false;
    if (writesAtStart !== undefined && writesAtStart !== this.writes) return false;
    this.fullSince = this.now();
    this.lastCause = cause;
    this.count++;
    this.emit(true);
    return true;
  }

  /** A write (or a space probe: `how`) got through. True when this ended an episode. */
  wrote(how = 'a log write got through'): boolean {
    this.writes++;
    if (this.fullSince === null) return false;
    this.lastMs = this.now() - this.fullSince;
    this.lastHow = how;
    this.fullSince = null;
    this.emit(false);
    return true;
  }

  /** Subscribes to the starts (true) and ends (false) of episodes. Returns an unsubscribe. */
  onChange(listener: DiskFullnessListener): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  private emit(full: boolean): void {
    for (const listener of [...this.listeners]) listener(full);
  }
}
