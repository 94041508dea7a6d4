import { computeHighWatermark, HighWatermark } from './high-watermark';

describe('HighWatermark', () => {
  it('only moves forward', () => {
    const hw = new HighWatermark();
    expect(hw.advanceTo(5)).toBe(true);
    expect(hw.advanceTo(3)).toBe(false);
    expect(hw.value).toBe(5);
  });

  it('tells its listeners each time it moves forward, and only then', () => {
    const hw = new HighWatermark();
    const seen: number[] = [];
    const unsubscribe = hw.onAdvance((value) => seen.push(value));
    hw.advanceTo(3);
    hw.advanceTo(2);
    hw.clampTo(1);
    hw.advanceTo(4);
    unsubscribe();
    hw.advanceTo(9);
    expect(seen).toEqual([3, 4]);
  });

  it('is pulled back to the log end by a truncation and says how far', () => {
    const hw = new HighWatermark();
    hw.advanceTo(10);
    expect(hw.clampTo(12)).toBe(0);
    expect(hw.clampTo(7)).toBe(3);
    expect(hw.value).toBe(7);
  });
});

describe('HighWatermark.waitPast', () => {
  it('resolves true once the offset is committed', async () => {
    const hw = new HighWatermark();
    const waiting = hw.waitPast(3, 1000);
    hw.advanceTo(3); // offset 3 is still not below the HW
    hw.advanceTo(4);
    await expect(waiting).resolves.toBe(true);
  });

  it('resolves false after the timeout', async () => {
    await expect(new HighWatermark().waitPast(0, 10)).resolves.toBe(false);
  });
});

describe('computeHighWatermark', () => {
  const leos: Record<string, number | undefined> = { b: 7, c: 9 };
  const leo = (id: string) => leos[id];

  it.each([
    ['leader alone', ['a'], 10, 10],
    ['lowest ISR member', ['a', 'b', 'c'], 10, 7],
    ['leader lowest', ['a', 'c'], 8, 8],
    ['member without a fetch in this epoch: no progress', ['a', 'd'], 10, undefined],
  ])('%s', (_name, isr, leaderLeo, expected) => {
    expect(computeHighWatermark('a', leaderLeo as number, isr as string[], leo)).toBe(expected);
  });
});
