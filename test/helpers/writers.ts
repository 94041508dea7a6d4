import { setTimeout as sleep } from 'node:timers/promises';
import { ApiClient, HttpProblemError } from './api-client';
import { describeError } from '@distilled/common';

/** What became of one write, as a client can know it. */
export type WriteOutcome =
  | { kind: 'acked'; message: string; offset: number; at: number }
  /** 4xx or 503: the API promised the message was not stored. */
  | { kind: 'refused'; message: string; status: number; at: number }
  /** 504, timeout or connection error: it may or may not be in the log. */
  | { kind: 'unknown'; message: string; reason: string; at: number };

export interface WriterRun {
  outcomes: WriteOutcome[];
  acked(): Extract<WriteOutcome, { kind: 'acked' }>[];
}

/**
 * `workers` closed-loop writers appending unique messages (`<prefix>-<worker>-<n>`) until
 * `stop()` is called or `maxMessages` were sent; every outcome is recorded with its time.
 */
export function startWriters(
  api: ApiClient,
  options: { workers: number; prefix: string; maxMessages?: number; pauseMs?: number },
): { stop: () => Promise<WriterRun>; done: () => Promise<WriterRun> } {
  const outcomes: WriteOutcome[] = [];
  let stopped = false;
  let sent = 0;
  const max = options.maxMessages ?? Number.MAX_SAFE_INTEGER;

  const worker = async (w: number) => {
    for (let n = 0; !stopped && sent < max; n++) {
      sent++;
      const message = `${options.prefix}-${w}-${n}`;
      try {
        const offset = await api.append(message);
        outcomes.push({ kind: 'acked', message, offset, at: Date.now() });
      } catch (error) {
        if (error instanceof HttpProblemError && error.status !== 504) {
          outcomes.push({ kind: 'refused', message, status: error.status, at: Date.now() });
          await sleep(50);
        } else {
          const reason = describeError(error);
          outcomes.push({ kind: 'unknown', message, reason, at: Date.now() });
        }
      }
      if (options.pauseMs) await sleep(options.pauseMs);
    }
  };
  const running = Promise.all(Array.from({ length: options.workers }, (_, w) => worker(w)));

  const result = (): WriterRun => ({
    outcomes,
    acked: () =>
      outcomes.filter((o): o is Extract<WriteOutcome, { kind: 'acked' }> => o.kind === 'acked'),
  });
  return {
    /** Stops after the writes in flight and returns every outcome. */
    stop: async () => {
      stopped = true;
      await running;
      return result();
    },
    /** Waits until `maxMessages` writes have been answered. */
    done: async () => {
      await running;
      return result();
    },
  };
}

/** Checks that every acknowledged write reads back at its offset with its message. */
export async function expectAckedReadable(
  api: ApiClient,
  acked: Extract<WriteOutcome, { kind: 'acked' }>[],
): Promise<void> {
  const wrong: string[] = [];
  const offsets = new Map<number, string>();
  for (const write of acked) {
    const other = offsets.get(write.offset);
    if (other !== undefined)
      wrong.push(`offset ${write.offset} acknowledged twice: "${other}" and "${write.message}"`);
    offsets.set(write.offset, write.message);
  }
  for (let i = 0; i < acked.length; i += 32) {
    await Promise.all(
      acked.slice(i, i + 32).map(async (write) => {
        const answer = await api.read(write.offset);
        const body = answer.body as { message?: string };
        if (answer.status !== 200 || body.message !== write.message) {
          wrong.push(
            `offset ${write.offset}: wanted "${write.message}", got ${answer.status} ${JSON.stringify(answer.body)}`,
          );
        }
      }),
    );
  }
  expect(wrong.slice(0, 20)).toEqual([]);
}
