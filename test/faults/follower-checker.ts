/**
 * The followers' half of the fault checker: pure, like checker.ts. A follower is an SSE client
 * of GET /Data/Stream that reconnects with Last-Event-ID whenever its connection drops (API
 * restarts, ...). Over the whole run it must have received one gapless, duplicate-free run of
 * offsets from where it started, each with the message the final log holds there (so never one
 * that was not committed: messages are unique and an uncommitted one is cut or never written),
 * reaching the end of the log: every acknowledged write at or past its start reached it exactly
 * once and in order.
 *
 * With retention a reconnection may be refused 410 (retention deleted the offset it asked for):
 * accepted only when the offset it asked for is below the start the 410 named and below the
 * leader's final log start; the follower then starts again from that start, and the rule above
 * holds from there (what lay between was deleted).
 */
import type { Violation } from './checker';

export interface FollowerRecord {
  name: string;
  /** The offset it asked for first. */
  from: number;
  events: Array<{ offset: number; message: string; at: number; connection: number }>;
  /** Reconnections refused 410, each naming the log start the follower went on from. */
  trimmed?: Array<{ asked: number; firstOffset: number; at: number; connection: number }>;
  connections: number;
}

export interface FollowerCheck {
  violations: Violation[];
  /** Events checked, over all followers. */
  events: number;
  /** Acknowledged writes verified delivered, summed over followers. */
  ackedDelivered: number;
  /** 410s accepted (below the start they named and the final one), over all followers. */
  trims: number;
}

export function checkFollowers(
  followers: readonly FollowerRecord[],
  log: ReadonlyMap<number, string>,
  logEnd: number,
  acked: ReadonlyArray<{ offset: number; message: string }>,
  /** The leader's log start after the run (retention): the final log holds nothing below it. */
  logStart = 0,
): FollowerCheck {
  const ackedAt = new Map(acked.map((w) => [w.offset, w.message]));
  const violations: Violation[] = [];
  let events = 0;
  let ackedDelivered = 0;
  let trims = 0;
  for (const follower of followers) {
    const found: Violation[] = [];
    let expected = follower.from;
    const refusals = [...(follower.trimmed ?? [])];
    const trim = (refusal: (typeof refusals)[number]): void => {
      if (refusal.asked >= refusal.firstOffset || refusal.asked >= logStart) {
        found.push({
          kind: 'follower-bad-trim',
          offset: refusal.asked,
          at: refusal.at,
          detail: `${follower.name} asked for offset ${refusal.asked} on connection ${refusal.connection} and was refused 410 (log start ${refusal.firstOffset}), but the leader's log start is ${logStart}`,
        });
      } else if (refusal.asked !== expected) {
        found.push({
          kind: 'follower-gap',
          offset: expected,
          at: refusal.at,
          detail: `${follower.name} was due offset ${expected} but asked for ${refusal.asked} on connection ${refusal.connection}`,
        });
      } else {
        trims++;
      }
      expected = Math.max(expected, refusal.firstOffset);
    };
    for (const event of follower.events) {
      // A 410 comes on a connection of its own, after every event of the connections before it.
      while (refusals.length > 0 && refusals[0].connection < event.connection)
        trim(refusals.shift()!);
      events++;
      if (event.offset !== expected) {
        const where = `on connection ${event.connection}`;
        found.push(
          event.offset < expected
            ? {
                kind: 'follower-duplicate',
                offset: event.offset,
                at: event.at,
                detail: `${follower.name} got offset ${event.offset} again ${where}, after ${expected - 1}`,
              }
            : {
                kind: 'follower-gap',
                offset: expected,
                at: event.at,
                detail: `${follower.name} got offset ${event.offset} ${where} where ${expected} was due: ${expected}..${event.offset - 1} never arrived`,
              },
        );
      }
      // Below the log start the final log was deleted: check what an acknowledged write put there.
      const actual = event.offset < logStart ? ackedAt.get(event.offset) : log.get(event.offset);
      if (actual !== event.message && !(event.offset < logStart && actual === undefined)) {
        found.push({
          kind: 'follower-uncommitted',
          offset: event.offset,
          message: event.message,
          at: event.at,
          detail: `${follower.name} got "${event.message}" at offset ${event.offset}, where the log holds ${actual === undefined ? 'nothing' : `"${actual}"`}`,
        });
      }
      expected = Math.max(expected, event.offset + 1);
    }
    for (const refusal of refusals) trim(refusal);
    if (expected < logEnd) {
      found.push({
        kind: 'follower-behind',
        offset: expected,
        detail: `${follower.name} stopped at offset ${expected - 1} (over ${follower.connections} connections); the log ends at ${logEnd}`,
      });
    }
    const delivered = new Set(follower.events.map((e) => e.offset));
    for (const write of acked) {
      if (write.offset >= follower.from && delivered.has(write.offset)) ackedDelivered++;
    }
    // One follower's first few problems: a gap is usually followed by many more.
    violations.push(...found.slice(0, 5));
  }
  return { violations, events, ackedDelivered, trims };
}
