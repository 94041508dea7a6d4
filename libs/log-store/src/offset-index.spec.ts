import { OffsetIndex } from './offset-index';

describe('OffsetIndex', () => {
  function build(): OffsetIndex {
    const index = new OffsetIndex(100, 2);
    // Batches of 40 bytes, 2 offsets each: an entry roughly every 100 bytes.
    for (let i = 0; i < 50; i++) index.maybeAdd(i * 2, i * 40);
    return index;
  }

  it('adds an entry only once an interval of bytes has passed', () => {
    const index = build();
    expect(index.entryAt(0)).toEqual({ relativeOffset: 6, position: 120 });
    expect(index.entryAt(1)).toEqual({ relativeOffset: 12, position: 240 });
    expect(index.length).toBe(16);
  });

  it.each([
    [0, 0],
    [5, 0],
    [6, 120],
    [11, 120],
    [12, 240],
    [99, 1920],
  ])('lookup(%p) starts the scan at byte %p', (rel, position) => {
    expect(build().lookup(rel).position).toBe(position);
  });

  it('survives a round trip through its file bytes', () => {
    const index = build();
    const parsed = OffsetIndex.parse(index.toBuffer(), 100, 2000);
    expect(parsed?.toBuffer().equals(index.toBuffer())).toBe(true);
  });

  it.each([
    ['a length that is not a multiple of 8', (b: Buffer) => b.subarray(0, b.length - 3)],
    ['offsets that go backwards', (b: Buffer) => (b.writeUInt32BE(1, 8), b)],
    ['positions past the log end', (b: Buffer) => (b.writeUInt32BE(99999, b.length - 4), b)],
  ])('parse rejects %s', (_name, damage) => {
    expect(OffsetIndex.parse(damage(build().toBuffer()), 100, 2000)).toBeNull();
  });

  it('truncateToPosition drops entries at or past the cut and resumes indexing from there', () => {
    const index = build();
    index.truncateToPosition(240);
    expect(index.length).toBe(1);
    index.maybeAdd(20, 230);
    expect(index.length).toBe(2);
  });
});
