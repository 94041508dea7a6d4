/**
 * The text/event-stream framing of GET /Data/Stream (WHATWG HTML, "Server-sent events"): one
 * event per message with its offset as the id (what a reconnect sends back as Last-Event-ID),
 * and JSON data on one line (JSON.stringify escapes every line break, so no message can end an
 * event early).
 */
export function messageEvent(offset: number, message: Buffer): string {
  return `id: ${offset}\nevent: message\ndata: ${JSON.stringify({ offset, message: message.toString('utf8') })}\n\n`;
}

const EVENT_END = Buffer.from('"}\n\n', 'latin1');

/**
 * The events of `messages` (messages[i] at offset + i) as one Buffer, byte for byte what
 * messageEvent gives for each, joined. A catch-up page is ~2,000 events: building it as one
 * string (an event's template, its JSON, a rope of += joins) and handing that to the socket,
 * which flattens and encodes it again, cost ~1.8 µs per event, most of the API's time per
 * message on one bulk stream. A message whose bytes are printable ASCII without `"` or `\`
 * is its own JSON string, so its bytes are copied as they are (~0.6 µs per event with the
 * write); any other message goes through messageEvent.
 */
export function messageEvents(offset: number, messages: readonly Buffer[]): Buffer {
  const heads = new Array<string>(messages.length);
  const plain = new Array<boolean>(messages.length);
  let total = 0;
  for (let i = 0; i < messages.length; i++) {
    const at = offset + i;
    const message = messages[i];
    if (isPlainJsonText(message)) {
      plain[i] = true;
      heads[i] = `id: ${at}\nevent: message\ndata: {"offset":${at},"message":"`;
      total += heads[i].length + message.length + EVENT_END.length;
    } else {
      plain[i] = false;
      heads[i] = messageEvent(at, message);
      total += Buffer.byteLength(heads[i]);
    }
  }
  const out = Buffer.allocUnsafe(total);
  let position = 0;
  for (let i = 0; i < messages.length; i++) {
    if (!plain[i]) {
      position += out.write(heads[i], position, 'utf8');
      continue;
    }
    position += out.write(heads[i], position, 'latin1');
    out.set(messages[i], position);
    position += messages[i].length;
    out.set(EVENT_END, position);
    position += EVENT_END.length;
  }
  return out;
}

/** True when JSON.stringify would write the bytes as they are (printable ASCII, no `"` or `\`). */
function isPlainJsonText(bytes: Buffer): boolean {
  for (let i = 0; i < bytes.length; i++) {
    const byte = bytes[i];
    if (byte < 0x20 || byte > 0x7e || byte === 0x22 || byte === 0x5c) return false;
  }
  return true;
}

/** A comment line: ignored by EventSource, keeps idle connections and proxies from timing out. */
export const KEEP_ALIVE_COMMENT = ': keep-alive\n\n';

/** How long a browser waits before reconnecting after the stream drops (the `retry` field). */
export function retryField(ms: number): string {
  return `retry: ${ms}\n\n`;
}
