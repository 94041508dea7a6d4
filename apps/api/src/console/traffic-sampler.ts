import type { MetricValueWithName, Registry } from 'prom-client';
import { LATENCY_WINDOW_SECONDS, TRAFFIC_HISTORY_SAMPLES } from './console.constants';
import type { LatencySummary, Percentiles, TrafficSample } from '@distilled/console-frames';

const REQUESTS = 'distilled_api_http_requests_total';
const DURATION = 'distilled_api_http_request_duration_seconds';

/** Cumulative bucket counts by upper bound in seconds (Infinity for +Inf), ascending. */
export type Buckets = Array<[le: number, count: number]>;

/** The API's cumulative /Data counters at one moment, as prom-client holds them. */
export interface TrafficTotals {
  at: number;
  writes: number;
  reads: number;
  clientErrors: number;
  serverErrors: number;
  writeLatency: Buckets;
  readLatency: Buckets;
}

/**
 * Traffic for the console from the API's own Prometheus metrics (metrics/metrics.service.ts),
 * so the chart and /metrics can never disagree: rates per second from the request counter,
 * percentiles from the duration histogram over the last few seconds. Only /Data routes count:
 * a write is a POST, a read a GET.
 */
export class TrafficSampler {
  private readonly totals: TrafficTotals[] = [];
  private readonly samples: TrafficSample[] = [];

  constructor(private readonly registry: Registry) {}

  /** Reads the counters; returns the rates since the previous call (null on the first). */
  async sample(now: number): Promise<TrafficSample | null> {
    const next = await readTotals(this.registry, now);
    const previous = this.totals.at(-1);
    this.totals.push(next);
    if (this.totals.length > LATENCY_WINDOW_SECONDS + 1) this.totals.shift();
    if (!previous || next.at <= previous.at) return null;
    const sample = ratesBetween(previous, next);
    this.samples.push(sample);
    if (this.samples.length > TRAFFIC_HISTORY_SAMPLES) this.samples.shift();
    return sample;
  }

  history(): TrafficSample[] {
    return [...this.samples];
  }

  latency(): LatencySummary {
    const oldest = this.totals[0];
    const newest = this.totals.at(-1);
    const windowSeconds = LATENCY_WINDOW_SECONDS;
    if (!oldest || !newest || oldest === newest)
      return { windowSeconds, writes: null, reads: null };
    return {
      windowSeconds,
      writes: percentiles(subtract(newest.writeLatency, oldest.writeLatency)),
      reads: percentiles(subtract(newest.readLatency, oldest.readLatency)),
    };
  }
}

export async function readTotals(registry: Registry, at: number): Promise<TrafficTotals> {
  const totals: TrafficTotals = {
    at,
    writes: 0,
    reads: 0,
    clientErrors: 0,
    serverErrors: 0,
    writeLatency: [],
    readLatency: [],
  };
  const requests = await registry.getSingleMetric(REQUESTS)?.get();
  for (const { labels, value } of requests?.values ?? []) {
    const kind = dataRequestKind(String(labels.method), String(labels.route));
    if (!kind) continue;
    totals[kind] += value;
    const status = Number(labels.status);
    if (status >= 500) totals.serverErrors += value;
    else if (status >= 400) totals.clientErrors += value;
  }
  const writeBuckets = new Map<number, number>();
  const readBuckets = new Map<number, number>();
  const durations = await registry.getSingleMetric(DURATION)?.get();
  const durationValues = (durations?.values ?? []) as MetricValueWithName<string>[];
  for (const { labels, value, metricName } of durationValues) {
    if (metricName !== `${DURATION}_bucket`) continue;
    const kind = dataRequestKind(String(labels.method), String(labels.route));
    if (!kind) continue;
    const buckets = kind === 'writes' ? writeBuckets : readBuckets;
    const le = labels.le === '+Inf' ? Infinity : Number(labels.le);
    buckets.set(le, (buckets.get(le) ?? 0) + value);
  }
  totals.writeLatency = [...writeBuckets].sort((a, b) => a[0] - b[0]);
  totals.readLatency = [...readBuckets].sort((a, b) => a[0] - b[0]);
  return totals;
}

function dataRequestKind(method: string, route: string): 'writes' | 'reads' | null {
  if (!/^\/data(\/|$)/i.test(route)) return null;
  if (method === 'POST') return 'writes';
  if (method === 'GET') return 'reads';
  return null;
}

export function ratesBetween(previous: TrafficTotals, next: TrafficTotals): TrafficSample {
  const seconds = (next.at - previous.at) / 1000;
  const rate = (key: 'writes' | 'reads' | 'clientErrors' | 'serverErrors'): number =>
    round(Math.max(0, next[key] - previous[key]) / seconds);
  return {
    at: next.at,
    writesPerSec: rate('writes'),
    readsPerSec: rate('reads'),
    clientErrorsPerSec: rate('clientErrors'),
    serverErrorsPerSec: rate('serverErrors'),
  };
}

/** Bucket counts of `newer` minus `older` (labels that appeared later count from zero). */
export function subtract(newer: Buckets, older: Buckets): Buckets {
  const before = new Map(older);
  return newer.map(([le, count]) => [le, count - (before.get(le) ?? 0)]);
}

export function percentiles(buckets: Buckets): Percentiles | null {
  const count = buckets.at(-1)?.[1] ?? 0;
  if (count <= 0) return null;
  return {
    count,
    p50: toMs(quantile(buckets, 0.5)),
    p90: toMs(quantile(buckets, 0.9)),
    p99: toMs(quantile(buckets, 0.99)),
  };
}

/**
 * Prometheus's histogram_quantile: find the bucket holding the rank, interpolate linearly
 * inside it; in the +Inf bucket, answer the highest finite bound (nothing better is known).
 */
export function quantile(buckets: Buckets, q: number): number {
  const total = buckets.at(-1)?.[1] ?? 0;
  if (total <= 0) return NaN;
  const rank = q * total;
  let lowerBound = 0;
  let lowerCount = 0;
  for (const [le, count] of buckets) {
    if (count >= rank) {
      if (le === Infinity) return lowerBound;
      const inBucket = count - lowerCount;
      return inBucket <= 0 ? le : lowerBound + ((le - lowerBound) * (rank - lowerCount)) / inBucket;
    }
    lowerBound = le;
    lowerCount = count;
  }
  return lowerBound;
}

function toMs(seconds: number): number {
  return round(seconds * 1000);
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}
