// The chart's data: the snapshot's samples, then one more per update, five minutes at most.
// Pure, so specs can check it without a browser.
import type { TrafficSample } from '@distilled/console-frames';

export const HISTORY_MS = 5 * 60 * 1000;

export function appendSample(
  history: readonly TrafficSample[],
  sample: TrafficSample | null,
): TrafficSample[] {
  if (!sample || (history.length > 0 && sample.at <= history[history.length - 1].at)) {
    return history as TrafficSample[];
  }
  const since = sample.at - HISTORY_MS;
  return [...history.filter((s) => s.at >= since), sample];
}

/** uPlot's columns: seconds on x, then writes, reads, 4xx and 5xx per second. */
export function toColumns(history: readonly TrafficSample[]): number[][] {
  return [
    history.map((s) => s.at / 1000),
    history.map((s) => s.writesPerSec),
    history.map((s) => s.readsPerSec),
    history.map((s) => s.clientErrorsPerSec),
    history.map((s) => s.serverErrorsPerSec),
  ];
}

export function peak(
  history: readonly TrafficSample[],
  key: keyof Omit<TrafficSample, 'at'>,
): number {
  return history.reduce((max, s) => Math.max(max, s[key]), 0);
}
