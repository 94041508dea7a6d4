import { MetricsService } from '../metrics/metrics.service';
import { percentiles, quantile, TrafficSampler, type Buckets } from './traffic-sampler';

/** Counts one answered request the way MetricsService's onResponse hook does. */
function answered(
  metrics: MetricsService,
  method: string,
  route: string,
  status: number,
  seconds: number,
): void {
  const registry = metrics.registry;
  (
    registry.getSingleMetric('distilled_api_http_requests_total') as unknown as {
      inc(labels: Record<string, string>): void;
    }
  ).inc({ method, route, status: String(status) });
  (
    registry.getSingleMetric('distilled_api_http_request_duration_seconds') as unknown as {
      observe(labels: Record<string, string>, value: number): void;
    }
  ).observe({ method, route }, seconds);
}

describe('quantile', () => {
  const buckets: Buckets = [
    [0.001, 0],
    [0.01, 50],
    [0.1, 90],
    [1, 100],
    [Infinity, 100],
  ];

  it.each([
    [0.5, 0.01],
    [0.25, 0.0055],
    [0.9, 0.1],
    [0.95, 0.55],
  ])('q=%p interpolates inside its bucket: %p s', (q, seconds) => {
    expect(quantile(buckets, q)).toBeCloseTo(seconds, 6);
  });

  it('answers the highest finite bound for a rank in +Inf', () => {
    expect(
      quantile(
        [
          [0.5, 1],
          [Infinity, 10],
        ],
        0.99,
      ),
    ).toBe(0.5);
  });

  it('gives no percentiles without requests', () => {
    expect(
      percentiles([
        [0.1, 0],
        [Infinity, 0],
      ]),
    ).toBeNull();
  });
});

describe('TrafficSampler', () => {
  describe('sample', () => {
    it('turns /Data counters into rates per second: writes, reads, 4xx, 5xx; other routes do not count', async () => {
      const metrics = new MetricsService();
      const sampler = new TrafficSampler(metrics.registry);
      expect(await sampler.sample(1000)).toBeNull();
      for (let i = 0; i < 10; i += 1) answered(metrics, 'POST', '/Data', 201, 0.004);
      for (let i = 0; i < 4; i += 1) answered(metrics, 'GET', '/Data', 200, 0.002);
      answered(metrics, 'GET', '/Data', 404, 0.002);
      answered(metrics, 'POST', '/Data', 503, 0.5);
      answered(metrics, 'GET', '/Cluster', 200, 0.01);
      answered(metrics, 'GET', '/metrics', 500, 0.01);
      expect(await sampler.sample(3000)).toEqual({
        at: 3000,
        writesPerSec: 5.5,
        readsPerSec: 2.5,
        clientErrorsPerSec: 0.5,
        serverErrorsPerSec: 0.5,
      });
      expect(sampler.history()).toHaveLength(1);
    });
  });

  describe('latency', () => {
    it('gives percentiles in ms over the recent window only', async () => {
      const metrics = new MetricsService();
      const sampler = new TrafficSampler(metrics.registry);
      for (let i = 0; i < 100; i += 1) answered(metrics, 'POST', '/Data', 201, 2);
      await sampler.sample(0);
      for (let i = 0; i < 100; i += 1) answered(metrics, 'POST', '/Data', 201, 0.004);
      await sampler.sample(1000);
      const latency = sampler.latency();
      expect(latency.reads).toBeNull();
      expect(latency.writes?.count).toBe(100);
      expect(latency.writes?.p50).toBeGreaterThan(2.5);
      expect(latency.writes?.p99).toBeLessThanOrEqual(5);
    });
  });
});
