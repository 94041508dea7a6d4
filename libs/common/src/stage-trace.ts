import { appendFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * TEMPORARY (branch batch-latency): per-batch timestamps of the write path, to see where a
 * batch's round trip goes. Off unless DISTILLED_STAGE_TRACE_DIR is set; then each process
 * appends `stage key value t_us` lines (t from CLOCK_MONOTONIC, shared by every process on the
 * host) to <dir>/<pid>.tsv every 200 ms. bench/stage-timeline.ts joins the files.
 */
const dir = process.env.DISTILLED_STAGE_TRACE_DIR;

function makeStamp(directory: string) {
  const file = join(directory, `${process.pid}.tsv`);
  let lines: string[] = [];
  const flush = () => {
    if (lines.length === 0) return;
    const text = lines.join('\n') + '\n';
    lines = [];
    appendFileSync(file, text);
  };
  setInterval(flush, 200).unref();
  process.on('exit', flush);
  return (stage: string, key: number | string, value: number | string = ''): void => {
    lines.push(`${stage}\t${key}\t${value}\t${Number(process.hrtime.bigint() / 1000n)}`);
  };
}

export const stageStamp: ((stage: string, key: number | string, value?: number | string) => void) | undefined =
  dir ? makeStamp(dir) : undefined;
