import { isUtf8 } from 'node:buffer';

/**
 * The bytes of GET /Data/Range's answer, written straight from the message Buffers: byte for
 * byte `Buffer.from(JSON.stringify({ messages: [{ offset, message }...], nextOffset,
 * endOffset }))` with each message as `toString('utf8')`, without a string and an object per
 * message, the page's JSON string and its UTF-8 encoding in between (a sequential reader waits
 * for all of that on every page).
 *
 * JSON.stringify's string escapes, as bytes: `"` and `\` get a backslash; backspace, form feed,
 * line feed, carriage return and tab their short escapes; every other byte below 0x20 is
 * `\u00xx` (lowercase hex); the rest, DEL and U+2028/U+2029 included, as they are. A message
 * that is valid UTF-8 decodes to exactly the code points its bytes spell (no surrogates, which
 * valid UTF-8 cannot encode), so its JSON is its own bytes with those escapes. One that is not
 * (`isUtf8`) is rendered as before, `JSON.stringify(message.toString('utf8'))` with its U+FFFD
 * replacements, message by message.
 */

const OPEN = bytes('{"messages":[');
const ITEM_OPEN = bytes('{"offset":');
const ITEM_MESSAGE = bytes(',"message":"');
const ITEM_CLOSE = bytes('"}');
const NEXT_OFFSET = bytes('],"nextOffset":');
const END_OFFSET = bytes(',"endOffset":');
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const CLOSE_BRACE = 0x7d;
/** Digits of 2^53 - 1, the largest offset. */
const MAX_DIGITS = 16;
/** An item's bytes besides its message: the fixed text, a comma and the offset's digits. */
const ITEM_OVERHEAD = ITEM_OPEN.length + ITEM_MESSAGE.length + ITEM_CLOSE.length + 1 + MAX_DIGITS;

/**
 * Per byte below 0x80, how many bytes JSON writes for it beyond itself: 0 as it is, 1 for a
 * two-byte escape (`\n`), 5 for `\u00xx`. Bytes from 0x80 are UTF-8 sequences, copied as they
 * are once the message is known to be valid UTF-8.
 */
const EXTRA = new Uint8Array(128);
/** The letter after the backslash of a two-byte escape, by byte. */
const SHORT_ESCAPE = new Uint8Array(128);
for (let byte = 0; byte < 0x20; byte++) EXTRA[byte] = 5;
for (const [byte, letter] of [
  [0x08, 'b'],
  [0x09, 't'],
  [0x0a, 'n'],
  [0x0c, 'f'],
  [0x0d, 'r'],
  [QUOTE, '"'],
  [BACKSLASH, '\\'],
] as const) {
  EXTRA[byte] = 1;
  SHORT_ESCAPE[byte] = letter.charCodeAt(0);
}
const HEX = bytes('0123456789abcdef');
const EMPTY_VIEW = new DataView(new ArrayBuffer(0));

/** `messages[i]` is at `offset + i`; `endOffset` is the committed end the replica knew. */
export function rangePageJson(
  offset: number,
  messages: readonly Buffer[],
  endOffset: number,
): Buffer {
  // What the page takes when no message needs an escape; escapes add to it as they are met.
  let size = OPEN.length + NEXT_OFFSET.length + END_OFFSET.length + 2 * MAX_DIGITS + 1;
  for (let i = 0; i < messages.length; i++) size += messages[i].length + ITEM_OVERHEAD;
  let out: Buffer = Buffer.allocUnsafe(size);
  let at = put(out, 0, OPEN);
  // A DataView of the memory under the messages: a page's messages usually share theirs.
  let memory: ArrayBufferLike | undefined;
  let view: DataView<ArrayBufferLike> = EMPTY_VIEW;
  for (let i = 0; i < messages.length; i++) {
    const message = messages[i];
    if (i > 0) out[at++] = COMMA;
    if (message.buffer !== memory) {
      memory = message.buffer;
      view = new DataView(memory);
    }
    if (isPlain(view, message.byteOffset, message.byteOffset + message.length)) {
      at = putItemHead(out, at, offset + i);
      out.set(message, at);
      at += message.length;
      at = put(out, at, ITEM_CLOSE);
      continue;
    }
    const scanned = scan(message);
    const extra = scanned >>> 1;
    // Valid UTF-8 is written as it is; anything else as JSON.stringify of its decoded text.
    const fallback =
      (scanned & 1) === 1 && !isUtf8(message) ? JSON.stringify(message.toString('utf8')) : null;
    const grows =
      fallback === null ? extra : Buffer.byteLength(fallback, 'utf8') - 2 - message.length;
    if (grows > 0) {
      size += grows;
      if (size > out.length) out = grown(out, at, Math.max(size, out.length * 2));
    }
    at = putItemHead(out, at, offset + i);
    if (fallback !== null) at += out.write(fallback.slice(1, -1), at, 'utf8');
    else at = putEscaped(out, at, message);
    at = put(out, at, ITEM_CLOSE);
  }
  at = put(out, at, NEXT_OFFSET);
  at = putInteger(out, at, offset + messages.length);
  at = put(out, at, END_OFFSET);
  at = putInteger(out, at, endOffset);
  out[at++] = CLOSE_BRACE;
  return out.subarray(0, at);
}

/** `{"offset":N,"message":"` */
function putItemHead(out: Buffer, at: number, offset: number): number {
  at = put(out, at, ITEM_OPEN);
  at = putInteger(out, at, offset);
  return put(out, at, ITEM_MESSAGE);
}

/**
 * True when every byte of [start, end) in `view` is printable ASCII other than `"` and `\`
 * (JSON's text is the bytes themselves). Nearly every message is: checked four bytes at a time,
 * each word with the "has a byte less than n" bit trick (Hacker's Delight 6-1; for `"` and
 * `\`, "less than 1" after an XOR), about half the cost of a byte-by-byte loop.
 */
function isPlain(view: DataView, start: number, end: number): boolean {
  let i = start;
  let flags = 0;
  for (; i + 4 <= end; i += 4) {
    const word = view.getInt32(i, true);
    const quote = word ^ 0x22222222;
    const backslash = word ^ 0x5c5c5c5c;
    flags |=
      word |
      ((word - 0x20202020) & ~word) |
      ((quote - 0x01010101) & ~quote) |
      ((backslash - 0x01010101) & ~backslash);
  }
  if ((flags & 0x80808080) !== 0) return false;
  for (; i < end; i++) {
    const byte = view.getUint8(i);
    if (byte >= 0x80 || EXTRA[byte] !== 0) return false;
  }
  return true;
}

/**
 * Twice the bytes the escapes add, plus 1 when a byte is not ASCII (one number: this runs for
 * every message, and an object per call would cost what it saves).
 */
function scan(message: Buffer): number {
  let extra = 0;
  let nonAscii = 0;
  for (let i = 0; i < message.length; i++) {
    const byte = message[i];
    if (byte >= 0x80) nonAscii = 1;
    else extra += EXTRA[byte];
  }
  return extra * 2 + nonAscii;
}

/** A larger copy of `out`'s first `used` bytes. */
function grown(out: Buffer, used: number, size: number): Buffer {
  const larger = Buffer.allocUnsafe(size);
  out.copy(larger, 0, 0, used);
  return larger;
}

function putEscaped(out: Buffer, at: number, message: Buffer): number {
  for (let i = 0; i < message.length; i++) {
    const byte = message[i];
    if (byte >= 0x80 || EXTRA[byte] === 0) {
      out[at++] = byte;
    } else if (EXTRA[byte] === 1) {
      out[at++] = BACKSLASH;
      out[at++] = SHORT_ESCAPE[byte];
    } else {
      out[at++] = BACKSLASH;
      out[at++] = 0x75; // u
      out[at++] = 0x30;
      out[at++] = 0x30;
      out[at++] = HEX[byte >> 4];
      out[at++] = HEX[byte & 0xf];
    }
  }
  return at;
}

function put(out: Buffer, at: number, text: Uint8Array): number {
  for (let i = 0; i < text.length; i++) out[at++] = text[i];
  return at;
}

/** A safe non-negative integer's decimal digits, as JSON.stringify writes it. */
function putInteger(out: Buffer, at: number, value: number): number {
  let digits = 1;
  for (let rest = value; rest >= 10; rest = Math.floor(rest / 10)) digits++;
  let rest = value;
  for (let i = at + digits - 1; i >= at; i--) {
    const next = Math.floor(rest / 10);
    out[i] = 0x30 + (rest - next * 10);
    rest = next;
  }
  return at + digits;
}

function bytes(text: string): Buffer {
  return Buffer.from(text, 'latin1');
}
