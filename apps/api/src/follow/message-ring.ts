/**
 * The recent tail of the log, shared by every stream at the tail: the SSE event of each message
 * from `start` to `end` (exclusive), encoded once, in a circular array bounded by a message count
 * and a byte total. Pushing past either bound drops the oldest: a stream that was reading there
 * has fallen behind and reads by range instead. Single-threaded.
 *
 * The streams at the tail all stand at the same offset when the feed brings new events, so
 * readJoined keeps its last answer: the events' bytes are joined once per delivery and the same
 * Buffer goes to every socket (one write each), not one join or one write per event per socket.
 */
export class MessageRing {
  private readonly slots: Array<Buffer | undefined>;
  private head = 0;
  private count = 0;
  private firstOffset = 0;
  private totalBytes = 0;
  /** Bumped by every push and reset: a remembered join is only good for the version it saw. */
  private version = 0;
  private lastJoin: {
    offset: number;
    maxBytes: number;
    version: number;
    joined: JoinedEvents;
  } | null = null;

  constructor(
    readonly maxMessages: number,
    readonly maxBytes: number,
  ) {
    if (maxMessages < 1 || maxBytes < 1) throw new RangeError('a ring holds at least one message');
    this.slots = new Array<Buffer | undefined>(maxMessages);
  }

  /** The oldest offset held (= end when empty). */
  get start(): number {
    return this.firstOffset;
  }

  /** The offset the next pushed event will have. */
  get end(): number {
    return this.firstOffset + this.count;
  }

  get size(): number {
    return this.count;
  }

  get bytes(): number {
    return this.totalBytes;
  }

  /** Empties the ring; the next push is `offset`. */
  reset(offset: number): void {
    this.slots.fill(undefined);
    this.head = 0;
    this.count = 0;
    this.totalBytes = 0;
    this.firstOffset = offset;
    this.version += 1;
    this.lastJoin = null;
  }

  /** Adds the event of offset `end`, dropping the oldest while a bound is passed (never itself). */
  push(event: Buffer): void {
    if (this.count === this.maxMessages) this.dropOldest();
    this.slots[(this.head + this.count) % this.maxMessages] = event;
    this.count += 1;
    this.totalBytes += event.length;
    this.version += 1;
    while (this.totalBytes > this.maxBytes && this.count > 1) this.dropOldest();
  }

  /**
   * The events from `offset` on (start <= offset < end), as many as fit in `maxBytes` (at least
   * one). Empty when `offset` is outside the ring.
   */
  read(offset: number, maxBytes: number): Buffer[] {
    if (offset < this.firstOffset || offset >= this.end) return [];
    const out: Buffer[] = [];
    let bytes = 0;
    for (let at = offset; at < this.end; at++) {
      const event = this.slots[(this.head + (at - this.firstOffset)) % this.maxMessages]!;
      if (out.length > 0 && bytes + event.length > maxBytes) break;
      out.push(event);
      bytes += event.length;
    }
    return out;
  }

  /**
   * The events read(offset, maxBytes) would give, as one Buffer; the same Buffer again for the
   * same question until the ring changes. Null when `offset` is outside the ring.
   */
  readJoined(offset: number, maxBytes: number): JoinedEvents | null {
    const last = this.lastJoin;
    if (
      last &&
      last.offset === offset &&
      last.maxBytes === maxBytes &&
      last.version === this.version
    ) {
      return last.joined;
    }
    const events = this.read(offset, maxBytes);
    if (events.length === 0) return null;
    const joined = {
      bytes: events.length === 1 ? events[0] : Buffer.concat(events),
      count: events.length,
    };
    this.lastJoin = { offset, maxBytes, version: this.version, joined };
    return joined;
  }

  private dropOldest(): void {
    const event = this.slots[this.head]!;
    this.slots[this.head] = undefined;
    this.head = (this.head + 1) % this.maxMessages;
    this.count -= 1;
    this.firstOffset += 1;
    this.totalBytes -= event.length;
  }
}

/** Consecutive events joined into one Buffer, and how many they are. */
export interface JoinedEvents {
  readonly bytes: Buffer;
  readonly count: number;
}
