import { scanBatchBody } from './batch-body-scan';

/** `text` as a Buffer that starts `shift` bytes into its memory, to move the 4-byte words. */
function bodyAt(text: string | Buffer, shift: number): Buffer {
  const bytes = typeof text === 'string' ? Buffer.from(text, 'utf8') : text;
  const memory = Buffer.alloc(bytes.length + 8, 0x41);
  bytes.copy(memory, shift);
  return memory.subarray(shift, shift + bytes.length);
}

function scanned(text: string | Buffer, shift = 0): string[] | null {
  return scanBatchBody(bodyAt(text, shift))?.map((message) => message.toString('utf8')) ?? null;
}

describe('scanBatchBody', () => {
  it('gives each message of a plain body as the bytes between its quotes', () => {
    const messages = [
      'a',
      '',
      'héllo wörld',
      '日本語',
      '😀 and more',
      '{"user":1}'.replace(/"/g, "'"),
    ];
    expect(scanned(JSON.stringify({ messages }))).toEqual(messages);
  });

  it('returns views of the body, not copies', () => {
    const body = Buffer.from('{"messages":["abc","de"]}');
    const [first] = scanBatchBody(body)!;
    body[14] = 0x7a; // the "a" of "abc"
    expect(first.toString()).toBe('zbc');
  });

  it('takes JSON whitespace between every token', () => {
    const body = ' \t\r\n{ \n"messages" \t: \r\n[ "a" ,\n\t"b"\r\n]\n}\n ';
    expect(scanned(body)).toEqual(['a', 'b']);
    expect(scanned(JSON.stringify({ messages: ['x', 'y'] }, null, 2))).toEqual(['x', 'y']);
  });

  it('checks every byte of strings of every length at every alignment', () => {
    // Lengths 0..12 put the first, the last and every middle byte in each lane of a word.
    for (let shift = 0; shift < 4; shift++) {
      for (let length = 0; length <= 12; length++) {
        const plain = 'p'.repeat(length);
        expect(scanned(`{"messages":["${plain}","${plain}"]}`, shift)).toEqual([plain, plain]);
        for (let at = 0; at < length; at++) {
          for (const bad of ['\\n', '\\"', '\\\\', '\\u0062']) {
            const escaped = `{"messages":["${plain.slice(0, at)}${bad}${plain.slice(at + 1)}"]}`;
            expect(scanned(escaped, shift)).toBeNull();
          }
          for (const control of [0x00, 0x09, 0x0a, 0x1f]) {
            const raw = Buffer.from(`{"messages":["${plain}"]}`);
            raw[14 + at] = control;
            expect(scanned(raw, shift)).toBeNull();
          }
        }
      }
    }
  });

  it('agrees with JSON.parse on random bodies, and scans every one JSON.stringify left unescaped', () => {
    const alphabet = [
      'a',
      'Z',
      ' ',
      '"',
      '\\',
      '\n',
      '\t',
      '\u0001',
      'é',
      '€',
      '😀',
      '\u007f',
      '/',
    ];
    let random = 12345;
    const next = (n: number) => {
      random = (random * 1103515245 + 12345) & 0x7fffffff;
      return random % n;
    };
    for (let round = 0; round < 2000; round++) {
      const messages = Array.from({ length: 1 + next(6) }, () =>
        Array.from({ length: next(10) }, () => alphabet[next(alphabet.length)]).join(''),
      );
      const text = JSON.stringify({ messages });
      const result = scanned(text, next(4));
      if (result !== null) expect(result).toEqual(messages);
      if (!text.includes('\\')) expect(result).toEqual(messages);
    }
  });

  it.each([
    ['an empty list', '{"messages":[]}'],
    ['another field', '{"messages":["a"],"topic":"x"}'],
    ['the field twice', '{"messages":["a"],"messages":["b"]}'],
    ['another field first', '{"topic":"x","messages":["a"]}'],
    ['an escaped field name', '{"mess\\u0061ges":["a"]}'],
    ['a non-string element', '{"messages":["a",5]}'],
    ['a null element', '{"messages":[null]}'],
    ['a nested list', '{"messages":[["a"]]}'],
    ['a trailing comma', '{"messages":["a",]}'],
    ['a missing comma', '{"messages":["a" "b"]}'],
    ['an unterminated string', '{"messages":["a'],
    ['an unclosed list', '{"messages":["a"'],
    ['an unclosed object', '{"messages":["a"]'],
    ['text after the object', '{"messages":["a"]}x'],
    ['two objects', '{"messages":["a"]}{}'],
    ['messages not a list', '{"messages":"a"}'],
    ['a list at the top', '["a"]'],
    ['a byte-order mark', '\ufeff{"messages":["a"]}'],
    ['an empty body', ''],
  ])('leaves %s to the full path', (_name, text) => {
    expect(scanned(text)).toBeNull();
  });

  it('leaves bytes that are not UTF-8 to the full path', () => {
    for (const bad of [[0xff], [0xc3], [0xed, 0xa0, 0x80], [0xc0, 0xaf]]) {
      const body = Buffer.concat([
        Buffer.from('{"messages":["a'),
        Buffer.from(bad),
        Buffer.from('"]}'),
      ]);
      expect(scanned(body)).toBeNull();
    }
  });

  it('takes 10000 messages and leaves 10001 to the full path', () => {
    expect(scanned(JSON.stringify({ messages: Array(10_000).fill('m') }))).toHaveLength(10_000);
    expect(scanned(JSON.stringify({ messages: Array(10_001).fill('m') }))).toBeNull();
  });
});
