import type { StreamEvent } from './sse-client';

/**
 * What an SSE follower must have seen, given the final log (message by offset, read after the
 * cluster settled): one contiguous run of offsets from `from`, each exactly once, in order, each
 * with the message the log holds there (so never one that was later cut: messages are unique).
 * Returns the violations, empty when none.
 */
export function checkStream(
  name: string,
  events: readonly StreamEvent[],
  from: number,
  finalLog: readonly string[],
): string[] {
  const problems: string[] = [];
  let expected = from;
  for (const event of events) {
    if (event.offset !== expected) {
      problems.push(
        event.offset < expected
          ? `${name}: offset ${event.offset} again (duplicate) after ${expected - 1}`
          : `${name}: gap: offsets ${expected}..${event.offset - 1} missing before ${event.offset}`,
      );
      if (problems.length > 5) break;
      expected = event.offset;
    }
    if (finalLog[event.offset] !== event.message) {
      problems.push(
        `${name}: offset ${event.offset} delivered ${JSON.stringify(event.message)} but the log holds ${JSON.stringify(finalLog[event.offset])}`,
      );
    }
    expected += 1;
  }
  return problems;
}
