/**
 * The text/event-stream framing of GET /Data/Stream (WHATWG HTML, "Server-sent events"): one
 * event per message with its offset as the id (what a reconnect sends back as Last-Event-ID),
 * and JSON data on one line (JSON.stringify escapes every line break, so no message can end an
 * event early).
 */
export function messageEvent(offset: number, message: Buffer): string {
  return `id: ${offset}\nevent: message\ndata: ${JSON.stringify({ offset, message: message.toString('utf8') })}\n\n`;
}

/** A comment line: ignored by EventSource, keeps idle connections and proxies from timing out. */
export const KEEP_ALIVE_COMMENT = ': keep-alive\n\n';

/** How long a browser waits before reconnecting after the stream drops (the `retry` field). */
export function retryField(ms: number): string {
  return `retry: ${ms}\n\n`;
}
