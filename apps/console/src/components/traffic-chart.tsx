// Writes, reads and errors per second over the last five minutes, drawn with uPlot (canvas,
// small, fast). The figure's caption says the same in words for screen readers and the tests.
import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import type { TrafficSample } from '@distilled/console-frames';
import { formatRate } from '../format';
import { peak, toColumns } from '../traffic-history';

const HEIGHT = 220;

export function TrafficChart({ history }: { history: TrafficSample[] }) {
  const container = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);

  useEffect(() => {
    const element = container.current!;
    const chart = new uPlot(
      options(element.clientWidth),
      toColumns([]) as uPlot.AlignedData,
      element,
    );
    plot.current = chart;
    const resize = new ResizeObserver(() =>
      chart.setSize({ width: element.clientWidth, height: HEIGHT }),
    );
    resize.observe(element);
    return () => {
      resize.disconnect();
      chart.destroy();
      plot.current = null;
    };
  }, []);

  useEffect(() => {
    plot.current?.setData(toColumns(history) as uPlot.AlignedData);
  }, [history]);

  const latest = history[history.length - 1];
  const peakWrites = peak(history, 'writesPerSec');
  return (
    <figure
      class="traffic"
      data-testid="traffic"
      data-peak-writes={peakWrites}
      data-samples={history.length}
    >
      <div ref={container} class="chart" aria-hidden="true" />
      <figcaption>
        {latest
          ? `Now ${formatRate(latest.writesPerSec)} writes/s, ${formatRate(latest.readsPerSec)} reads/s, ${formatRate(latest.clientErrorsPerSec)} client errors/s (4xx), ${formatRate(latest.serverErrorsPerSec)} server errors/s (5xx). Peak over the chart: ${formatRate(peakWrites)} writes/s, ${formatRate(peak(history, 'readsPerSec'))} reads/s.`
          : 'Collecting the first samples…'}
      </figcaption>
    </figure>
  );
}

function options(width: number): uPlot.Options {
  const axis = { stroke: '#333', grid: { stroke: '#e3e3e3' }, ticks: { stroke: '#ccc' } };
  return {
    width,
    height: HEIGHT,
    // UTC like the API's problem sentences and the logs, whatever the browser's time zone.
    tzDate: (seconds) => uPlot.tzDate(new Date(seconds * 1000), 'Etc/UTC'),
    legend: { live: true },
    cursor: { drag: { x: false, y: false } },
    scales: { y: { range: (_u, _min, max) => [0, Math.max(1, max * 1.1)] } },
    axes: [axis, { ...axis, label: 'per second', size: 56 }],
    series: [
      {
        label: 'time (UTC)',
        value: (_u, v) => (v == null ? '—' : new Date(v * 1000).toISOString().slice(11, 19)),
      },
      { label: 'writes/s', stroke: '#1658a8', width: 2 },
      { label: 'reads/s', stroke: '#1e7a34', width: 2 },
      { label: '4xx/s', stroke: '#8a5a00', width: 2, dash: [6, 4] },
      { label: '5xx/s', stroke: '#b3261e', width: 2, dash: [2, 3] },
    ],
  };
}
