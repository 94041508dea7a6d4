// The structure of a JSON request body, read from its bytes before JSON.parse runs. V8's
// JSON.parse is slow on exactly what no call of the API takes: deep nesting (about 5 µs per
// level: seconds for a body of a few million "[") and many keys (about 11 µs per key), and
// every recursive step after it (class-transformer, class-validator, JSON.stringify)
// overflows the stack on deep values. Refusing such a body unparsed keeps all of that out of
// reach of a single request.

const QUOTE = 0x22; // "
const BACKSLASH = 0x5c;
const OPEN_ARRAY = 0x5b; // [
const OPEN_OBJECT = 0x7b; // {
const CLOSE_ARRAY = 0x5d;
const CLOSE_OBJECT = 0x7d;
const COMMA = 0x2c;

export interface JsonStructureLimits {
  /** Arrays and objects inside each other. */
  depth: number;
  /** Fields of any one object. */
  objectFields: number;
  /** Values in the whole text (every element, field value and container). */
  values: number;
}

/**
 * Why `bytes` (UTF-8 JSON, possibly invalid) passes a limit, as a sentence, or null when it
 * stays within all of them. Brackets and commas inside strings do not count; multi-byte UTF-8
 * sequences never contain ASCII bytes, so scanning bytes is exact. Linear in the body, with no
 * recursion; a body with few brackets and commas (every single-message request) is settled by
 * native byte searches alone.
 */
export function jsonStructureProblem(
  bytes: Uint8Array,
  limits: JsonStructureLimits,
): string | null {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (fewStructuralBytes(buffer, limits)) return null;
  // Per open container: whether it is an object, and how many commas it holds so far.
  const isObject = new Uint8Array(limits.depth + 1);
  const commas = new Uint32Array(limits.depth + 1);
  let depth = 0;
  let values = 1;
  for (let i = 0; i < bytes.length; i++) {
    const byte = bytes[i];
    if (byte === QUOTE) {
      // A string's bytes are most of a batch body: its closing quote is found natively.
      const end = closingQuote(buffer, i + 1);
      if (end === -1) return null; // unterminated: JSON.parse will say where
      i = end;
    } else if (byte === COMMA) {
      if (depth === 0) continue; // invalid JSON; JSON.parse will say where
      if (++values > limits.values) return tooManyValues(limits.values);
      if (isObject[depth] === 1 && ++commas[depth] >= limits.objectFields) {
        return tooManyFields(limits.objectFields);
      }
    } else if (byte === OPEN_ARRAY || byte === OPEN_OBJECT) {
      if (++depth > limits.depth) return tooDeep(limits.depth);
      isObject[depth] = byte === OPEN_OBJECT ? 1 : 0;
      commas[depth] = 0;
      if (++values > limits.values) return tooManyValues(limits.values);
    } else if ((byte === CLOSE_ARRAY || byte === CLOSE_OBJECT) && depth > 0) {
      depth--;
    }
  }
  return null;
}

/**
 * Where the string whose text starts at `from` ends: the next quote that no backslash escapes
 * (one preceded by an odd run of backslashes is escaped; the run cannot pass the opening
 * quote), or -1 when there is none.
 */
function closingQuote(buffer: Buffer, from: number): number {
  for (let at = buffer.indexOf(QUOTE, from); at !== -1; at = buffer.indexOf(QUOTE, at + 1)) {
    let backslashes = 0;
    while (buffer[at - 1 - backslashes] === BACKSLASH) backslashes++;
    if (backslashes % 2 === 0) return at;
  }
  return -1;
}

/**
 * True when the text has so few "[", "{" and "," (strings included) that no limit can be
 * passed: at most `depth` openers and at most `objectFields - 2` commas.
 */
function fewStructuralBytes(buffer: Buffer, limits: JsonStructureLimits): boolean {
  return (
    countAtMost(buffer, [OPEN_ARRAY, OPEN_OBJECT], limits.depth) &&
    countAtMost(buffer, [COMMA], limits.objectFields - 2)
  );
}

function countAtMost(buffer: Buffer, bytes: number[], max: number): boolean {
  let count = 0;
  for (const byte of bytes) {
    for (let at = buffer.indexOf(byte); at !== -1; at = buffer.indexOf(byte, at + 1)) {
      if (++count > max) return false;
    }
  }
  return true;
}

function tooDeep(limit: number): string {
  return `The body nests arrays or objects more than ${limit} levels deep, so it was refused unread; no call of this API takes more than a few levels.`;
}

function tooManyFields(limit: number): string {
  return `An object in the body has more than ${limit} fields, so it was refused unread; no call of this API takes more than a few (see /docs).`;
}

function tooManyValues(limit: number): string {
  return `The body holds more than ${limit} JSON values, so it was refused unread; no call of this API takes that many (a batch holds at most 10000 messages).`;
}
