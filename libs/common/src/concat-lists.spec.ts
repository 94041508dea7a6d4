import { concatLists } from './concat-lists';

describe('concatLists', () => {
  it('joins the lists in order, as flatMap would', () => {
    const lists = [[1, 2], [], [3], [4, 5, 6]];
    expect(concatLists(lists)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(concatLists(lists)).toEqual(lists.flatMap((list) => list));
  });

  it('keeps the elements themselves (no copies) and leaves the lists as they were', () => {
    const a = Buffer.from('a');
    const b = Buffer.from('b');
    const lists = [[a], [b, a]];
    const all = concatLists(lists);
    expect(all[0]).toBe(a);
    expect(all[1]).toBe(b);
    expect(all[2]).toBe(a);
    expect(lists).toEqual([[a], [b, a]]);
  });

  it('makes a new array, also for one list or none', () => {
    const one = ['x'];
    const joined = concatLists([one]);
    expect(joined).toEqual(['x']);
    expect(joined).not.toBe(one);
    expect(concatLists([])).toEqual([]);
    expect(concatLists([[], []])).toHaveLength(0);
  });
});
