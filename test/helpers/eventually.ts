// The one polling helper of the e2e suites: clusters converge (elections, catch-up, repair)
// in their own time, so a test waits for a state with a bound and, when it gives up, says
// what it waited for and the last error the probe saw.
import { setTimeout as sleep } from 'node:timers/promises';
import { describeError } from '@distilled/common';

/**
 * Calls `probe` until it returns something other than undefined and returns that; a throwing
 * probe counts as "not yet". Fails after `timeoutMs` (the probe always runs at least once).
 */
export async function eventually<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  timeoutMs = 30_000,
  intervalMs = 50,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() >= deadline) {
      const why = lastError === undefined ? '' : `: ${describeError(lastError)}`;
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${why}`);
    }
    await sleep(intervalMs);
  }
}
