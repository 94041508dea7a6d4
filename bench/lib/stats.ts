/** Percentiles and formatting shared by the benchmarks. */

/** Nearest-rank percentile of an ascending array (p in 0..100); NaN when empty. */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))];
}

export function median(xs: number[]): number {
  const finite = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (finite.length === 0) return NaN;
  const mid = finite.length >> 1;
  return finite.length % 2 ? finite[mid] : (finite[mid - 1] + finite[mid]) / 2;
}

export const fmtInt = (n: number): string =>
  Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : '–';

export const fmtMs = (n: number): string => {
  if (!Number.isFinite(n)) return '–';
  if (n < 1) return n.toFixed(2);
  if (n < 10) return n.toFixed(1);
  return Math.round(n).toString();
};

export const fmtPct = (ratio: number): string =>
  Number.isFinite(ratio) ? `${Math.round(ratio * 100)}%` : '–';

export const fmtBytes = (n: number): string =>
  n >= 1024 * 1024
    ? `${(n / 1024 / 1024).toFixed(n >= 100 * 1024 * 1024 ? 0 : 1)} MiB`
    : n >= 1024
      ? `${Math.round(n / 1024)} KiB`
      : `${n} B`;

/** How the per-round lists name a `--warm-rounds` round: shown, never in a median or ratio. */
export const WARM_UP_LABEL = 'warm-up (not in medians)';
