import { messageEvent, messageEvents } from './sse-event';

describe('messageEvents', () => {
  const joined = (offset: number, messages: Buffer[]): string =>
    messages.map((message, i) => messageEvent(offset + i, message)).join('');

  it('is byte for byte the joined events of plain ASCII messages', () => {
    const messages = [
      'hello, log',
      'x'.repeat(100),
      '',
      " ~!#$%&'()*+,-./09:;<=>?@AZ[]^_`az{|}",
    ].map((text) => Buffer.from(text));
    expect(messageEvents(0, messages).toString('utf8')).toBe(joined(0, messages));
    expect(messageEvents(9_007_199_254_740_000, messages).toString('utf8')).toBe(
      joined(9_007_199_254_740_000, messages),
    );
  });

  it('escapes what JSON escapes, exactly as messageEvent does, beside plain messages', () => {
    const messages = [
      Buffer.from('say "hi"'),
      Buffer.from('back\\slash'),
      Buffer.from('two\nlines\r\n'),
      Buffer.from('tab\there\u0000nul\u007fdel'),
      Buffer.from('plain between'),
      Buffer.from('héllo, 日本, 🎉'),
      Buffer.from([0xff, 0xfe, 0x41, 0xc3]), // not UTF-8: replaced, as messageEvent does
      Buffer.from('{"user":42}'),
    ];
    const bytes = messageEvents(41, messages);
    expect(bytes.equals(Buffer.from(joined(41, messages), 'utf8'))).toBe(true);
  });

  it('gives an empty Buffer for no messages', () => {
    expect(messageEvents(5, []).length).toBe(0);
  });

  it('keeps every event on its own data line with its offset as the id', () => {
    const text = messageEvents(7, [Buffer.from('a\n\nb'), Buffer.from('c')]).toString('utf8');
    const events = text.split('\n\n').filter(Boolean);
    expect(events).toHaveLength(2);
    expect(events.map((event) => event.split('\n')[0])).toEqual(['id: 7', 'id: 8']);
    expect(JSON.parse(events[0].split('\n')[2].slice('data: '.length))).toEqual({
      offset: 7,
      message: 'a\n\nb',
    });
  });
});
