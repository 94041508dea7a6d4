import { formatBytes, formatCount, formatMs, formatRate, formatUtcTime } from './format';
import { appendSample, HISTORY_MS, peak, toColumns } from './traffic-history';

describe('format', () => {
  it.each([
    [formatCount(1234567), '1,234,567'],
    [formatRate(0.25), '0.3'],
    [formatRate(12.6), '13'],
    [formatRate(1500), '1,500'],
    [formatMs(0.421), '0.42 ms'],
    [formatMs(3.14), '3.1 ms'],
    [formatMs(120.4), '120 ms'],
    [formatMs(1500), '1.5 s'],
    [formatBytes(12), '12 B'],
    [formatBytes(3500), '3.4 KiB'],
    [formatBytes(1024 * 1024), '1.0 MiB'],
    [formatUtcTime(Date.parse('2026-12-06T07:31:12.345Z')), '07:31:12 UTC'],
  ])('%s', (actual, expected) => {
    expect(actual).toBe(expected);
  });
});

describe('traffic history', () => {
  const sample = (at: number, writesPerSec = 1) => ({
    at,
    writesPerSec,
    readsPerSec: 2,
    clientErrorsPerSec: 0,
    serverErrorsPerSec: 0,
  });

  it('appends newer samples, ignores repeats and drops what is older than five minutes', () => {
    let history = [sample(1000), sample(2000)];
    history = appendSample(history, sample(2000));
    expect(history).toHaveLength(2);
    history = appendSample(history, null);
    expect(history).toHaveLength(2);
    history = appendSample(history, sample(1500 + HISTORY_MS, 7));
    expect(history.map((s) => s.at)).toEqual([2000, 1500 + HISTORY_MS]);
    expect(peak(history, 'writesPerSec')).toBe(7);
  });

  it('gives uPlot one column per series, x in seconds', () => {
    expect(toColumns([sample(1000), sample(2000, 3)])).toEqual([
      [1, 2],
      [1, 3],
      [2, 2],
      [0, 0],
      [0, 0],
    ]);
  });
});
