// Numbers and times as the console shows them. Pure, so specs can run them without a browser.

/** 1,234,567 */
export function formatCount(n: number): string {
  return n.toLocaleString('en-US');
}

/** Rates: whole numbers from 10 on, one decimal below. */
export function formatRate(perSecond: number): string {
  if (perSecond >= 10) return formatCount(Math.round(perSecond));
  return perSecond.toFixed(1);
}

/** Milliseconds with sensible precision: 0.42 ms, 3.1 ms, 120 ms, 1.5 s. */
export function formatMs(ms: number): string {
  if (ms >= 1000) return `${(ms / 1000).toFixed(1)} s`;
  if (ms >= 100) return `${Math.round(ms)} ms`;
  if (ms >= 1) return `${ms.toFixed(1)} ms`;
  return `${ms.toFixed(2)} ms`;
}

/** 07:31:12 UTC, the time the API's problem sentences use too. */
export function formatUtcTime(ms: number): string {
  return `${new Date(ms).toISOString().slice(11, 19)} UTC`;
}

/** 12 B, 3.4 KiB, 1.0 MiB */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}
