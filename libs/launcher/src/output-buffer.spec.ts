import { OutputBuffer } from './output-buffer';

describe('OutputBuffer', () => {
  it('joins lines split across chunks and drops the oldest beyond capacity', () => {
    const seen: string[] = [];
    const buffer = new OutputBuffer(2, (line) => seen.push(line));
    buffer.write('one\ntw');
    buffer.write('o\r\nthree\nfou');
    expect(buffer.snapshot()).toEqual(['two', 'three']);
    buffer.flush();
    expect(buffer.snapshot()).toEqual(['three', 'fou']);
    expect(seen).toEqual(['one', 'two', 'three', 'fou']);
  });
});
