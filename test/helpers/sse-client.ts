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
      res.on('data', (chunk: string) => parser.feed(chunk));
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
  };
}

/**
 * A follower that keeps following across dropped connections, as an EventSource does: on any end
 * it reconnects after `retryMs` with Last-Event-ID set to the last id it received. Every event of
 * every connection is recorded in order, with the connection it came on.
 */
export class ResumingFollower {
  readonly events: Array<StreamEvent & { connection: number }> = [];
  connections = 0;
  private current: SseConnection | null = null;
  private stopped = false;
  private lastId: number | null = null;

  constructor(
    private readonly baseUrl: () => string,
    private readonly query: string,
    private readonly retryMs = 200,
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
      this.current = openStream(
        this.baseUrl(),
        this.query,
        (event) => {
          this.lastId = event.id;
          this.events.push({ ...event, connection });
        },
        headers,
      );
      try {
        const head = await this.current.head;
        if (head.status !== 200) this.current.close();
      } catch {
        // the API is down: try again
      }
      await this.current.ended;
      if (!this.stopped) await new Promise((r) => setTimeout(r, this.retryMs));
    }
  }
}
