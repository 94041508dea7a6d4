import { Injectable } from '@nestjs/common';
import type { FastifyInstance } from 'fastify';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * How often the event-loop lag histogram samples the loop (prom-client's default is 10 ms). Its
 * libuv timer woke an idle API 100 times a second, and a lone writer's API (C=1) between its
 * writes; each wake-up of a sleeping process costs far more on a shared host than the sample.
 * A stall still shows in the histogram as long as it outlasts one sample interval.
 */
const EVENT_LOOP_SAMPLE_MS = 100;

/**
 * The API's Prometheus metrics, in a registry of its own (not prom-client's global one), so
 * several app instances in one test process do not collide.
 */
@Injectable()
export class MetricsService {
  readonly registry = new Registry();

  private readonly requests = new Counter({
    name: 'distilled_api_http_requests_total',
    help: 'HTTP requests answered, by method, route and status.',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [this.registry],
  });
  private readonly latency = new Histogram({
    name: 'distilled_api_http_request_duration_seconds',
    help: 'Time from request to response, by method and route.',
    labelNames: ['method', 'route'] as const,
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });
  private readonly problems = new Counter({
    name: 'distilled_api_problems_total',
    help: 'Error answers, by problem type and status.',
    labelNames: ['type', 'status'] as const,
    registers: [this.registry],
  });
  private readonly retries = new Counter({
    name: 'distilled_api_append_retries_total',
    help: 'Append attempts that failed and were retried or given up, by reason.',
    labelNames: ['reason'] as const,
    registers: [this.registry],
  });
  private readonly batches = new Counter({
    name: 'distilled_api_append_batches_total',
    help: 'Append batches sent, by outcome (committed, or the HTTP status the writes got).',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });
  private readonly batchSize = new Histogram({
    name: 'distilled_api_append_batch_messages',
    help: 'Messages per Append batch.',
    buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1000],
    registers: [this.registry],
  });
  private readonly batchLatency = new Histogram({
    name: 'distilled_api_append_batch_duration_seconds',
    help: 'Time from sending an Append batch to its answer, retries included.',
    buckets: [0.0005, 0.001, 0.002, 0.004, 0.008, 0.016, 0.032, 0.064, 0.25, 1, 5],
    registers: [this.registry],
  });
  private readonly duplicates = new Counter({
    name: 'distilled_api_append_duplicates_total',
    help: 'Retried batches the leader already held and answered with their original offsets.',
    registers: [this.registry],
  });
  private readonly leaderChanges = new Counter({
    name: 'distilled_api_leader_changes_total',
    help: 'Changes of the leader seen in the cluster state.',
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({
      register: this.registry,
      prefix: 'distilled_api_',
      eventLoopMonitoringPrecision: EVENT_LOOP_SAMPLE_MS,
    });
  }

  /** Counts every response, including those Nest never sees (no route, client errors). */
  instrument(instance: FastifyInstance): void {
    instance.addHook('onResponse', (request, reply, done) => {
      const route = request.routeOptions.url ?? '(unmatched)';
      this.requests.inc({ method: request.method, route, status: String(reply.statusCode) });
      this.latency.observe({ method: request.method, route }, reply.elapsedTime / 1000);
      done();
    });
  }

  countProblem(type: string, status: number): void {
    this.problems.inc({ type, status: String(status) });
  }

  retry(reason: string): void {
    this.retries.inc({ reason });
  }

  batchSent(messages: number, outcome: 'committed' | number, seconds: number): void {
    this.batchSize.observe(messages);
    this.batchLatency.observe(seconds);
    this.batches.inc({ outcome: String(outcome) });
  }

  duplicateBatch(): void {
    this.duplicates.inc();
  }

  leaderChanged(): void {
    this.leaderChanges.inc();
  }

  /**
   * A gauge whose value `read` gives when /metrics is scraped: what a module already counts
   * (connections, bytes held) is shown without touching its hot path.
   */
  gaugeAtScrape(name: string, help: string, read: () => number): void {
    new Gauge({
      name,
      help,
      registers: [this.registry],
      collect() {
        this.set(read());
      },
    });
  }

  render(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
