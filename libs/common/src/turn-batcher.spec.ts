import { setImmediate as nextTurnAsync } from 'node:timers/promises';
import { TurnBatcher, afterMicrotasks, nextTurn } from './turn-batcher';

describe('TurnBatcher', () => {
  it('hands over everything added in one turn in a single flush, in order', async () => {
    const flushes: number[][] = [];
    const batcher = new TurnBatcher<number>((items) => flushes.push(items));
    batcher.add(1);
    batcher.add(2);
    await Promise.resolve();
    batcher.add(3);
    expect(batcher.size).toBe(3);
    expect(flushes).toEqual([]);
    await nextTurnAsync();
    expect(flushes).toEqual([[1, 2, 3]]);
    expect(batcher.size).toBe(0);
  });

  it('starts a new batch for what is added after a flush', async () => {
    const flushes: string[][] = [];
    const batcher = new TurnBatcher<string>((items) => flushes.push(items));
    batcher.add('a');
    await nextTurnAsync();
    batcher.add('b');
    await nextTurnAsync();
    expect(flushes).toEqual([['a'], ['b']]);
  });

  it('splits at maxItems and flushes the rest on a later turn', async () => {
    const flushes: number[][] = [];
    const batcher = new TurnBatcher<number>((items) => flushes.push(items), { maxItems: 2 });
    for (let i = 1; i <= 5; i += 1) batcher.add(i);
    await nextTurnAsync();
    expect(flushes).toEqual([[1, 2]]);
    await nextTurnAsync();
    await nextTurnAsync();
    expect(flushes).toEqual([[1, 2], [3, 4], [5]]);
  });

  it('afterMicrotasks flushes before the next turn, after the promise callbacks queued with it', async () => {
    const order: string[] = [];
    const batcher = new TurnBatcher<string>((items) => order.push(`flush ${items.join(',')}`), {
      schedule: afterMicrotasks,
    });
    setImmediate(() => order.push('next turn'));
    // As when callers of one committed batch are answered: each in its own promise callback.
    await Promise.all([
      Promise.resolve().then(() => batcher.add('a')),
      Promise.resolve().then(() => batcher.add('b')),
    ]);
    await nextTurnAsync();
    expect(order).toEqual(['flush a,b', 'next turn']);
  });

  it('discard takes back what waits; the scheduled flush then sees only later items', async () => {
    const flushes: number[][] = [];
    const batcher = new TurnBatcher<number>((items) => flushes.push(items), {
      schedule: nextTurn,
    });
    batcher.add(1);
    expect(batcher.discard()).toEqual([1]);
    batcher.add(2);
    await nextTurnAsync();
    await nextTurnAsync();
    expect(flushes).toEqual([[2]]);
  });

  it('does not flush an empty batch', async () => {
    const flush = jest.fn();
    const batcher = new TurnBatcher<number>(flush);
    batcher.add(1);
    batcher.discard();
    await nextTurnAsync();
    expect(flush).not.toHaveBeenCalled();
  });
});
