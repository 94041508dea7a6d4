import { seededRandom } from '@distilled/common';
import { rangePageJson } from './range-page-json';

/** What GET /Data/Range answered before range-page-json: the page as objects, stringified. */
function stringified(offset: number, messages: readonly Buffer[], endOffset: number): Buffer {
  return Buffer.from(
    JSON.stringify({
      messages: messages.map((message, i) => ({
        offset: offset + i,
        message: message.toString('utf8'),
      })),
      nextOffset: offset + messages.length,
      endOffset,
    }),
  );
}

type Kind = 'ascii' | 'escapes' | 'multibyte' | 'four-byte' | 'invalid' | 'empty' | 'mixed';
const KINDS: Kind[] = ['ascii', 'escapes', 'multibyte', 'four-byte', 'invalid', 'empty', 'mixed'];

/** Pieces of text (as bytes) each kind of message is made of. */
const PIECES: Record<Exclude<Kind, 'empty' | 'mixed'>, Buffer[]> = {
  ascii: Array.from({ length: 95 }, (_, i) => Buffer.from([0x20 + i])),
  // every byte below 0x80: the short escapes, \u00xx, `"`, `\`, DEL and plain text
  escapes: Array.from({ length: 128 }, (_, i) => Buffer.from([i])),
  multibyte: ['é', 'ß', 'Ω', 'ж', '中', '€', '\u2028', '\u2029', '\ufeff', '\uffff', '\u0080'].map(
    (s) => Buffer.from(s),
  ),
  'four-byte': ['😀', '𝄞', '\u{10ffff}', '\u{10000}'].map((s) => Buffer.from(s)),
  invalid: [
    [0x80], // a lone continuation byte
    [0xc3], // a sequence cut short
    [0xe2, 0x82], // another
    [0xf0, 0x9f, 0x98], // a four-byte one cut short
    [0xc0, 0xaf], // overlong
    [0xed, 0xa0, 0x80], // an encoded surrogate
    [0xf4, 0x90, 0x80, 0x80], // past U+10FFFF
    [0xff],
    [0xfe],
  ].map((bytes) => Buffer.from(bytes)),
};

function message(next: () => number, kind: Kind): Buffer {
  if (kind === 'empty') return Buffer.alloc(0);
  const length = Math.floor(next() * 40);
  const parts: Buffer[] = [];
  for (let i = 0; i < length; i++) {
    const from =
      kind === 'mixed'
        ? (['ascii', 'escapes', 'multibyte', 'four-byte', 'invalid'] as const)[
            Math.floor(next() * 5)
          ]
        : kind;
    // Mostly plain text around the kind's pieces, as real messages are.
    const pieces = next() < 0.5 && from !== 'ascii' ? PIECES.ascii : PIECES[from];
    parts.push(pieces[Math.floor(next() * pieces.length)]);
  }
  if (kind === 'invalid')
    parts.splice(Math.floor(next() * (parts.length + 1)), 0, PIECES.invalid[0]);
  return Buffer.concat(parts);
}

/**
 * The messages as views into one buffer at uneven positions, as a decoded protobuf answer holds
 * them, or as Buffers of their own.
 */
function laidOut(next: () => number, messages: Buffer[]): Buffer[] {
  if (next() < 0.5) return messages.map((m) => Buffer.from(m));
  const gap = 1 + Math.floor(next() * 3);
  const memory = Buffer.alloc(
    messages.reduce((sum, m) => sum + m.length + gap, gap),
    0x0a,
  );
  let at = gap;
  return messages.map((m) => {
    m.copy(memory, at);
    const view = memory.subarray(at, at + m.length);
    at += m.length + gap;
    return view;
  });
}

describe('rangePageJson', () => {
  it('writes the JSON.stringify of an empty page', () => {
    expect(rangePageJson(7, [], 7).toString()).toBe('{"messages":[],"nextOffset":7,"endOffset":7}');
    expect(rangePageJson(900, [], 50).equals(stringified(900, [], 50))).toBe(true);
  });

  it('writes each escape as JSON.stringify does', () => {
    const all = Array.from({ length: 128 }, (_, i) => Buffer.from([i]));
    expect(rangePageJson(0, all, 128).toString()).toBe(stringified(0, all, 128).toString());
    expect(rangePageJson(0, [Buffer.from('a"b\\c\n\u0001\u001f\u007f')], 1).toString()).toBe(
      '{"messages":[{"offset":0,"message":"a\\"b\\\\c\\n\\u0001\\u001f\u007f"}],"nextOffset":1,"endOffset":1}',
    );
  });

  it('writes offsets up to 2^53-1 as JSON.stringify does', () => {
    for (const offset of [0, 9, 10, 99, 100, 123_456_789, 2 ** 32, Number.MAX_SAFE_INTEGER - 2]) {
      const page = [Buffer.from('a'), Buffer.from('b')];
      const end = Number.MAX_SAFE_INTEGER;
      expect(rangePageJson(offset, page, end).toString()).toBe(
        stringified(offset, page, end).toString(),
      );
    }
  });

  it('renders invalid UTF-8 as toString did: U+FFFD for each bad sequence', () => {
    const page = PIECES.invalid.map((bad) =>
      Buffer.concat([Buffer.from('a'), bad, Buffer.from('"')]),
    );
    expect(rangePageJson(3, page, 20).equals(stringified(3, page, 20))).toBe(true);
    expect(rangePageJson(3, page, 20).toString()).toContain('a\ufffd\\"');
  });

  it('finds any byte that needs more than a copy, wherever it is in the message', () => {
    // The plain-text check reads four bytes at a time: every byte value at every position of
    // messages of 1 to 9 bytes, in views at every alignment.
    for (let byte = 0; byte < 256; byte++) {
      const page: Buffer[] = [];
      for (let length = 1; length <= 9; length++) {
        for (let position = 0; position < length; position++) {
          const memory = Buffer.alloc(length + 4, 'x');
          const shift = (length + position) % 4;
          const message = memory.subarray(shift, shift + length);
          message[position] = byte;
          page.push(message);
        }
      }
      expect(rangePageJson(1, page, 99).toString('latin1')).toBe(
        stringified(1, page, 99).toString('latin1'),
      );
    }
  });

  it('grows its buffer when escapes make a page six times its size', () => {
    const page = Array.from({ length: 300 }, () => Buffer.alloc(1000, 0x01));
    const json = rangePageJson(0, page, 300);
    expect(json.length).toBeGreaterThan(6 * 300 * 1000);
    expect(json.equals(stringified(0, page, 300))).toBe(true);
  });

  it.each(KINDS)('equals JSON.stringify on random pages of %s messages', (kind) => {
    const seed = Math.floor(Math.random() * 2 ** 31);
    const next = seededRandom(seed);
    for (let round = 0; round < 200; round++) {
      const count = Math.floor(next() * 30);
      const page = laidOut(
        next,
        Array.from({ length: count }, () => message(next, kind)),
      );
      const offset = Math.floor(next() * 2 ** (next() * 53));
      const end = offset + count + Math.floor(next() * 1000);
      const expected = stringified(offset, page, end);
      const actual = rangePageJson(offset, page, end);
      if (!actual.equals(expected)) {
        // The seed and the first difference, to run the failing page again.
        throw new Error(
          `seed ${seed}, round ${round}: ${JSON.stringify(actual.toString('latin1'))} ≠ ${JSON.stringify(expected.toString('latin1'))}`,
        );
      }
    }
  });
});
