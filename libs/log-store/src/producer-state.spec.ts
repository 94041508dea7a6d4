import { PRODUCER_WINDOW, ProducerStateTable } from './producer-state';

describe('ProducerStateTable', () => {
  it('classifies sequences as new, duplicate or stale', () => {
    const t = new ProducerStateTable();
    expect(t.check(1, 0).kind).toBe('new');
    for (let s = 0; s < 10; s++) t.record(1, { sequence: s, count: 1, baseOffset: s });
    expect(t.check(1, 10).kind).toBe('new');
    expect(t.check(1, 15).kind).toBe('new'); // gaps allowed: a refused batch may be skipped
    const dup = t.check(1, 9);
    expect(dup.kind === 'duplicate' && dup.batch.baseOffset).toBe(9);
    expect(t.check(1, 10 - PRODUCER_WINDOW).kind).toBe('duplicate');
    expect(t.check(1, 9 - PRODUCER_WINDOW)).toEqual({ kind: 'stale', lastSequence: 9 });
    expect(t.check(2, 0).kind).toBe('new');
  });

  it('forget undoes a refused batch so its retry is new again', () => {
    const t = new ProducerStateTable();
    t.record(1, { sequence: 1, count: 1, baseOffset: 0 });
    const b = t.record(1, { sequence: 2, count: 1 });
    t.forget(1, b);
    expect(t.check(1, 2).kind).toBe('new');
    expect(t.check(1, 1).kind).toBe('duplicate');
    const only = t.record(7, { sequence: 0, count: 1 });
    t.forget(7, only);
    expect(t.check(7, 0).kind).toBe('new');
  });

  it('takes batches of one producer out of order within the window (several in flight)', () => {
    const t = new ProducerStateTable();
    t.record(1, { sequence: 3, count: 1, baseOffset: 0 });
    t.record(1, { sequence: 5, count: 1, baseOffset: 1 });
    // 4 was in flight and arrives after 5 (a retry): it was never stored, so it is new...
    expect(t.check(1, 4).kind).toBe('new');
    t.record(1, { sequence: 4, count: 1, baseOffset: 2 });
    // ...and once stored, a second retry of it is a duplicate with its own offset.
    const again = t.check(1, 4);
    expect(again.kind === 'duplicate' && again.batch.baseOffset).toBe(2);
    // Out of the window a missing sequence cannot be told from a forgotten one.
    t.record(1, { sequence: 5 + PRODUCER_WINDOW, count: 1, baseOffset: 3 });
    expect(t.check(1, 5).kind).toBe('stale');
    expect(t.check(1, 6).kind).toBe('new');
  });

  it('a sequence below the first one it saw is stale, not new (the table may have missed it)', () => {
    const t = new ProducerStateTable();
    // E.g. rebuilt from the last segments only: 7 may be stored in an older one.
    t.record(1, { sequence: 8, count: 1, baseOffset: 0 });
    t.record(1, { sequence: 9, count: 1, baseOffset: 1 });
    expect(t.check(1, 7).kind).toBe('stale');
    // Within what it has seen, a gap is still new (a batch in flight that arrives late).
    t.record(1, { sequence: 11, count: 1, baseOffset: 2 });
    expect(t.check(1, 10).kind).toBe('new');
  });

  it('forgetting the highest sequence keeps the window where it was', () => {
    const t = new ProducerStateTable();
    t.record(1, { sequence: 5, count: 1, baseOffset: 0 });
    t.record(1, { sequence: 6, count: 1, baseOffset: 1 });
    const b = t.record(1, { sequence: 9, count: 1 });
    t.forget(1, b);
    expect(t.check(1, 9).kind).toBe('new');
    expect(t.check(1, 6).kind).toBe('duplicate');
    expect(t.check(1, 4).kind).toBe('stale');
  });

  it('keeps at most maxProducers, forgetting the least recently active', () => {
    const t = new ProducerStateTable(2);
    t.record(1, { sequence: 0, count: 1, baseOffset: 0 });
    t.record(2, { sequence: 0, count: 1, baseOffset: 1 });
    t.record(1, { sequence: 1, count: 1, baseOffset: 2 });
    t.record(3, { sequence: 0, count: 1, baseOffset: 3 });
    expect(t.size).toBe(2);
    expect(t.check(2, 0).kind).toBe('new');
    expect(t.check(1, 1).kind).toBe('duplicate');
  });
});
