/**
 * What happened during a fault run, as the client and the nemesis saw it: every write with
 * its outcome, every read made while faults ran, every fault with its time. The checker reads
 * it; a failing run prints it.
 */

/**
 * What every write record may say about its retries: the Idempotency-Key it was sent with and
 * how many attempts it took (the writers retry an unknown outcome with the same key).
 */
interface Retried {
  key?: string;
  attempts?: number;
  /** How many of its attempts were answered 507 (the leader's disk was full). */
  diskFullAnswers?: number;
}

/** One write as a client can know it (README's error table: 503 and 507 = not stored; 504 = maybe stored). */
export type WriteRecord = Retried &
  (
    | { kind: 'acked'; message: string; offset: number; start: number; end: number }
    /** 4xx, 503 or 507: the API promised the message was not stored. */
    | {
        kind: 'refused';
        message: string;
        status: number;
        start: number;
        end: number;
        detail?: string;
      }
    /** 5xx other than 503 and 507, timeout or connection error: it may or may not be in the log. */
    | { kind: 'unknown'; message: string; reason: string; start: number; end: number }
  );

/** One read: `message` null means the source said "not there (yet)". */
export interface ReadRecord {
  source: string;
  offset: number;
  message: string | null;
  /** Retention: the read was refused as deleted (410 / offset-trimmed), naming this log start. */
  trimmedAt?: number;
  start: number;
  end: number;
}

/**
 * One GET /Data/Range answer during the run: a 200 page or a 410 (a 503 or a lost answer says
 * nothing about the log and is not recorded).
 */
export interface RangePageRecord {
  source: string;
  /** What was asked. */
  offset: number;
  limit: number;
  maxBytes?: number;
  waitSeconds?: number;
  /** A 200's messages with the offsets the API gave them, in its order (empty for a 410). */
  messages: Array<{ offset: number; message: string }>;
  /** A 200's nextOffset. */
  nextOffset?: number;
  /** A 410: the log start it named. */
  trimmedAt?: number;
  start: number;
  end: number;
}

export type FaultKind =
  | 'kill-leader'
  | 'kill-follower'
  | 'pause-follower'
  | 'pause-leader'
  | 'restart-api'
  | 'add-replica'
  | 'restart-etcd'
  | 'partition'
  | 'corrupt-tail'
  | 'wipe-replica'
  | 'disk-full';

export const FAULT_KINDS: FaultKind[] = [
  'kill-leader',
  'kill-follower',
  'pause-follower',
  'pause-leader',
  'restart-api',
  'add-replica',
  'restart-etcd',
  'partition',
  'corrupt-tail',
  'wipe-replica',
  'disk-full',
];

export interface FaultEvent {
  at: number;
  kind: FaultKind | 'heal' | 'recovered' | 'no-recovery' | 'note';
  detail: string;
}

export class History {
  readonly t0 = Date.now();
  readonly writes: WriteRecord[] = [];
  readonly reads: ReadRecord[] = [];
  readonly rangePages: RangePageRecord[] = [];
  readonly events: FaultEvent[] = [];

  event(kind: FaultEvent['kind'], detail: string): FaultEvent {
    const event = { at: Date.now(), kind, detail };
    this.events.push(event);
    if (process.env.DISTILLED_FAULTS_VERBOSE) {
      process.stdout.write(`[nemesis ${this.clock(event.at)}] ${kind}: ${detail}\n`);
    }
    return event;
  }

  /** Seconds since the run started, e.g. "+12.345s". */
  clock(at: number): string {
    return `+${((at - this.t0) / 1000).toFixed(3)}s`;
  }

  describeWrite(write: WriteRecord): string {
    const tries = write.attempts && write.attempts > 1 ? ` after ${write.attempts} attempts` : '';
    const span = `${this.clock(write.start)}..${this.clock(write.end)}${tries}`;
    switch (write.kind) {
      case 'acked':
        return `${span} write "${write.message}" acked at offset ${write.offset}`;
      case 'refused':
        return `${span} write "${write.message}" refused ${write.status}${write.detail ? ` (${write.detail})` : ''}`;
      default:
        return `${span} write "${write.message}" unknown (${write.reason})`;
    }
  }

  describeEvent(event: FaultEvent): string {
    return `${this.clock(event.at)} ${event.kind}: ${event.detail}`;
  }

  /** The faults and the writes that ended within `windowMs` of `at`, in time order. */
  excerpt(at: number, windowMs = 3000, maxWrites = 30): string[] {
    const events = this.events
      .filter((e) => Math.abs(e.at - at) <= windowMs)
      .map((e) => ({ at: e.at, line: `  [fault] ${this.describeEvent(e)}` }));
    const near = this.writes
      .filter((w) => Math.abs(w.end - at) <= windowMs)
      .sort((a, b) => Math.abs(a.end - at) - Math.abs(b.end - at))
      .slice(0, maxWrites)
      .map((w) => ({ at: w.end, line: `  [write] ${this.describeWrite(w)}` }));
    return [...events, ...near].sort((a, b) => a.at - b.at).map((x) => x.line);
  }

  /** Every line of the run: faults and writes in time order (for the file left behind). */
  fullText(): string {
    const lines = [
      ...this.events.map((e) => ({ at: e.at, line: `[fault] ${this.describeEvent(e)}` })),
      ...this.writes.map((w) => ({ at: w.end, line: `[write] ${this.describeWrite(w)}` })),
    ];
    return lines
      .sort((a, b) => a.at - b.at)
      .map((x) => x.line)
      .join('\n');
  }
}
