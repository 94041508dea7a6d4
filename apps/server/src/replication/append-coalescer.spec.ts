import type { AppendResult } from '@distilled/log-store';
import { AppendCoalescer } from './append-coalescer';
import { COALESCE_MAX_MESSAGES } from './coalesce-groups';

const m = (text: string) => Buffer.from(text);

describe('AppendCoalescer', () => {
  it('turns appends of one turn into one batch and gives each caller its own offsets', async () => {
    const batches: string[][] = [];
    let end = 100;
    const coalescer = new AppendCoalescer(async (messages) => {
      batches.push(messages.map(String));
      const result: AppendResult = { baseOffset: end, count: messages.length, duplicate: false };
      end += messages.length;
      return result;
    });
    const results = await Promise.all([
      coalescer.append([m('a')]),
      coalescer.append([m('b'), m('c')]),
      coalescer.append([m('d')]),
    ]);
    expect(batches).toEqual([['a', 'b', 'c', 'd']]);
    expect(results).toEqual([
      { baseOffset: 100, count: 1, duplicate: false },
      { baseOffset: 101, count: 2, duplicate: false },
      { baseOffset: 103, count: 1, duplicate: false },
    ]);
    // A later turn is a new batch.
    expect(await coalescer.append([m('e')])).toEqual({
      baseOffset: 104,
      count: 1,
      duplicate: false,
    });
    expect(batches).toHaveLength(2);
  });

  it("fails every caller of a batch with the batch's error", async () => {
    const refused = new Error('not enough replicas');
    const coalescer = new AppendCoalescer(() => Promise.reject(refused));
    const outcomes = await Promise.allSettled([
      coalescer.append([m('a')]),
      coalescer.append([m('b')]),
    ]);
    expect(outcomes).toEqual([
      { status: 'rejected', reason: refused },
      { status: 'rejected', reason: refused },
    ]);
  });

  it('splits a turn that exceeds the batch limits', async () => {
    const sizes: number[] = [];
    const coalescer = new AppendCoalescer(async (messages) => {
      sizes.push(messages.length);
      return { baseOffset: 0, count: messages.length, duplicate: false };
    });
    const big = Array.from({ length: COALESCE_MAX_MESSAGES - 1 }, () => m('x'));
    await Promise.all([
      coalescer.append(big),
      coalescer.append([m('y'), m('z')]),
      coalescer.append([m('w')]),
    ]);
    expect(sizes).toEqual([COALESCE_MAX_MESSAGES - 1, 3]);
  });
});
