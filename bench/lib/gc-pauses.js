'use strict';
/**
 * Preloaded with `NODE_OPTIONS=--require …/gc-pauses.js` (Node 20 refuses --trace-gc there): prints
 * one line per GC pause of this process to stderr, `distilled-gc <start> <duration> <kind>`, the
 * start in milliseconds since the epoch (performance.timeOrigin + the entry's start), so pauses of
 * several processes line up with each other and with a load generator's clock. hop-trace's `--gc`
 * reads them to see which writes a pause overlapped.
 */
const { PerformanceObserver, constants, performance } = require('node:perf_hooks');

const KINDS = {
  [constants.NODE_PERFORMANCE_GC_MINOR]: 'scavenge',
  [constants.NODE_PERFORMANCE_GC_MAJOR]: 'mark-compact',
  [constants.NODE_PERFORMANCE_GC_INCREMENTAL]: 'incremental',
  [constants.NODE_PERFORMANCE_GC_WEAKCB]: 'weak-callbacks',
};

new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) {
    const start = performance.timeOrigin + entry.startTime;
    const kind = KINDS[entry.detail?.kind] ?? 'gc';
    process.stderr.write(`distilled-gc ${start.toFixed(3)} ${entry.duration.toFixed(3)} ${kind}\n`);
  }
}).observe({ entryTypes: ['gc'] });
