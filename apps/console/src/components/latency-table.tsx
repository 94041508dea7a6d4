// Latency percentiles of /Data calls over the last seconds, from the API's own histogram.
import type { LatencySummary, Percentiles } from '@distilled/console-frames';
import { formatCount, formatMs } from '../format';

export function LatencyTable({ latency }: { latency: LatencySummary }) {
  return (
    <table class="latency">
      <caption>Latency over the last {latency.windowSeconds} s (bucket estimates)</caption>
      <thead>
        <tr>
          <th scope="col">calls</th>
          <th scope="col">p50</th>
          <th scope="col">p90</th>
          <th scope="col">p99</th>
          <th scope="col">requests</th>
        </tr>
      </thead>
      <tbody>
        <Row name="writes (POST)" values={latency.writes} />
        <Row name="reads (GET)" values={latency.reads} />
      </tbody>
    </table>
  );
}

function Row({ name, values }: { name: string; values: Percentiles | null }) {
  return (
    <tr>
      <th scope="row">{name}</th>
      {values ? (
        <>
          <td>{formatMs(values.p50)}</td>
          <td>{formatMs(values.p90)}</td>
          <td>{formatMs(values.p99)}</td>
          <td>{formatCount(values.count)}</td>
        </>
      ) : (
        <td colSpan={4}>no requests</td>
      )}
    </tr>
  );
}
