/**
 * Raw HTTP/1.1 over a socket, for what fetch cannot send: requests that trickle in, malformed
 * framing, no Host header. Resolves with everything the server wrote and how long it kept the
 * connection open.
 */
import { connect } from 'node:net';

export interface RawExchange {
  status: number;
  contentType: string;
  body: unknown;
  /** Milliseconds from connecting until the server closed the connection. */
  closedAfterMs: number;
}

/**
 * Sends `parts` in order, `gapMs` apart (the last one repeated every `gapMs` while the
 * connection stays open when `trickle` is set), and waits for the server to close.
 */
export function rawExchange(
  baseUrl: string,
  parts: string[],
  options: { gapMs?: number; trickle?: boolean; timeoutMs?: number } = {},
): Promise<RawExchange> {
  const url = new URL(baseUrl);
  const gap = options.gapMs ?? 0;
  return new Promise((resolve, reject) => {
    const socket = connect(Number(url.port), url.hostname);
    const started = Date.now();
    let received = '';
    let next = 0;
    const timer = setInterval(() => {
      if (next < parts.length) socket.write(parts[next++]);
      else if (options.trickle && parts.length > 0) socket.write(parts[parts.length - 1]);
    }, gap || 1);
    const giveUp = setTimeout(() => {
      socket.destroy();
      reject(
        new Error(`the server kept the connection open for ${options.timeoutMs ?? 60_000} ms`),
      );
    }, options.timeoutMs ?? 60_000);
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (received += chunk));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearInterval(timer);
      clearTimeout(giveUp);
      const head = received.slice(0, Math.max(0, received.indexOf('\r\n\r\n')));
      const text = received.slice(head.length + 4);
      const contentType = /^content-type: *([^\r\n]+)/im.exec(head)?.[1] ?? '';
      let body: unknown = text;
      if (contentType.includes('json') && text) body = JSON.parse(text);
      resolve({
        status: Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1] ?? 0),
        contentType,
        body,
        closedAfterMs: Date.now() - started,
      });
    });
  });
}
