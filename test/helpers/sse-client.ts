import * as http from 'node:http';
import * as https from 'node:https';

/** One `message` event of GET /Data/Stream as a client parsed it. */
export interface StreamEvent {
  id: number;
  offset: number;
  message: string;
  /** When it was parsed (Date.now()). */
  at: number;
}

/**
 * A text/event-stream parser (WHATWG "Server-sent events" framing: fields per line, events
 * ended by a blank line, comment lines starting with ':'). Fed chunks; hands out message events.
 */
export class EventStreamParser {
  private buffer = '';
  private id: string | null = null;
  private event = 'message';
  private data: string[] = [];
  comments = 0;

  constructor(
    private readonly onEvent: (event: { id: string | null; type: string; data: string }) => void,
  ) {}

  feed(chunk: string): void {
    this.buffer += chunk;
    let newline: number;
    while ((newline = this.buffer.indexOf('\n')) >= 0) {
      const line = this.buffer.slice(0, newline).replace(/\r$/, '');
      this.buffer = this.buffer.slice(newline + 1);
      this.line(line);
    }
  }

  private line(line: string): void {
    if (line === '') {
      if (this.data.length > 0)
        this.onEvent({ id: this.id, type: this.event, data: this.data.join('\n') });
      this.event = 'message';
      this.data = [];
      return;
    }
    if (line.startsWith(':')) {
      this.comments += 1;
      return;
    }
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
    if (field === 'id') this.id = value;
    else if (field === 'event') this.event = value;
    else if (field === 'data') this.data.push(value);
  }
}

export interface SseConnection {
  /** Resolves with the status and content type once the head arrived. */
  head: Promise<{ status: number; contentType: string }>;
  /** Resolves when the connection ends (by either side), with the reason. */
  ended: Promise<string>;
  /** Stops reading the socket (the server's writes back up) / starts again. */
  pause(): void;
  resume(): void;
  close(): void;
  readonly comments: number;
  /** The body of an answer other than 200 (a problem+json), as far as it arrived. */
  readonly refusal: string;
}

/**
 * Opens GET /Data/Stream and calls `onEvent` for each message event, after checking it is well
 * formed (id = data.offset). Pausing stops reading the socket, as a slow client does.
 */
export function openStream(
  baseUrl: string,
  query: string,
  onEvent: (event: StreamEvent) => void,
  headers: Record<string, string> = {},
  /** For an https:// baseUrl: the CA its certificate is signed by. */
  ca?: Buffer,
): SseConnection {
  let request: http.ClientRequest;
  let response: http.IncomingMessage | undefined;
  let paused = false;
  let refusal = '';
  const parser = new EventStreamParser((raw) => {
    if (raw.type !== 'message') throw new Error(`unexpected event type ${raw.type}`);
    const data = JSON.parse(raw.data) as { offset: number; message: string };
    if (String(data.offset) !== raw.id)
      throw new Error(`event id ${raw.id} but data.offset ${data.offset}`);
    onEvent({ id: Number(raw.id), offset: data.offset, message: data.message, at: Date.now() });
  });
  let settleEnded!: (reason: string) => void;
  const ended = new Promise<string>((resolve) => (settleEnded = resolve));
  const head = new Promise<{ status: number; contentType: string }>((resolve, reject) => {
    const get = baseUrl.startsWith('https:') ? https.get : http.get;
    request = get(`${baseUrl}/Data/Stream?${query}`, { headers, agent: false, ca }, (res) => {
      response = res;
      if (paused) res.pause();
      resolve({
        status: res.statusCode ?? 0,
        contentType: String(res.headers['content-type'] ?? ''),
      });
      res.setEncoding('utf8');
      res.on('data', (chunk: string) =>
        res.statusCode === 200 ? parser.feed(chunk) : (refusal += chunk),
      );
      res.on('end', () => settleEnded('end'));
      res.on('error', (error) => settleEnded(`error: ${error.message}`));
      res.on('close', () => settleEnded('close'));
    });
    request.on('error', (error) => {
      reject(error);
      settleEnded(`error: ${error.message}`);
    });
  });
  head.catch(() => undefined);
  return {
    head,
    ended,
    pause: () => {
      paused = true;
      response?.pause();
    },
    resume: () => {
      paused = false;
      response?.resume();
    },
    close: () => request.destroy(),
    get comments() {
      return parser.comments;
    },
    get refusal() {
      return refusal;
    },
  };
}

/** A reconnection refused 410 (retention deleted the offset it asked for). */
export interface TrimmedReconnect {
  /** The offset the follower asked for (Last-Event-ID + 1, or the query's offset). */
  asked: number;
  /** The log start the 410 named: the follower goes on from there. */
  firstOffset: number;
  at: number;
  connection: number;
}

/**
 * A follower that keeps following across dropped connections, as an EventSource does: on any end
 * it reconnects after `retryMs` with Last-Event-ID set to the last id it received. Every event of
 * every connection is recorded in order, with the connection it came on. A reconnection answered
 * 410 (offset-trimmed: retention deleted what it asked for) is recorded too, and the follower
 * starts again from the `firstOffset` it named, as a client that accepts the loss would.
 */
export class ResumingFollower {
  readonly events: Array<StreamEvent & { connection: number }> = [];
  readonly trimmed: TrimmedReconnect[] = [];
  connections = 0;
  private current: SseConnection | null = null;
  private stopped = false;
  private lastId: number | null = null;

  constructor(
    private readonly baseUrl: () => string,
    private query: string,
    private readonly retryMs = 200,
    /** For an https:// API: the CA its certificate is signed by. */
    private readonly ca?: Buffer,
  ) {}

  start(): this {
    void this.loop();
    return this;
  }

  get lastOffset(): number | null {
    return this.lastId;
  }

  stop(): void {
    this.stopped = true;
    this.current?.close();
  }

  private async loop(): Promise<void> {
    while (!this.stopped) {
      const connection = ++this.connections;
      const headers: Record<string, string> =
        this.lastId === null ? {} : { 'last-event-id': String(this.lastId) };
      const asked =
        this.lastId === null ? Number(/offset=(\d+)/.exec(this.query)?.[1]) : this.lastId + 1;
      this.current = openStream(
        this.baseUrl(),
        this.query,
        (event) => {
          this.lastId = event.id;
          this.events.push({ ...event, connection });
        },
        headers,
        this.ca,
      );
      let status = 0;
      try {
        status = (await this.current.head).status;
        // A 410's body names the log start: read it to the end (the API closes it).
        if (status !== 200 && status !== 410) this.current.close();
      } catch {
        // the API is down: try again
      }
      await this.current.ended;
      if (status === 410) this.restartAfterTrim(asked, connection, this.current.refusal);
      if (!this.stopped) await new Promise((r) => setTimeout(r, this.retryMs));
    }
  }

  private restartAfterTrim(asked: number, connection: number, body: string): void {
    let firstOffset: unknown;
    try {
      firstOffset = (JSON.parse(body) as { firstOffset?: unknown }).firstOffset;
    } catch {
      return; // a 410 without its problem body: ask again
    }
    if (typeof firstOffset !== 'number' || !Number.isSafeInteger(firstOffset)) return;
    this.trimmed.push({ asked, firstOffset, at: Date.now(), connection });
    this.lastId = null;
    this.query = `offset=${firstOffset}`;
  }
}
