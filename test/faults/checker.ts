/**
 * The safety checker of the fault suites: pure functions from what the clients saw (writes
 * with their outcomes, reads during and after the run) to a list of violations. No I/O, so
 * checker.e2e-spec.ts proves it on small hand-made histories.
 *
 * The log a run produced is reconstructed from the final reads (every offset below `logEnd`
 * from every replica directly and several times through the API) and then:
 * - no offset ever shows two different messages (final reads and reads during the run);
 * - no holes: every offset below `logEnd` is there, on every source;
 * - with retention: a read refused as deleted (410 / offset-trimmed) only below the leader's
 *   final log start and below the start it named; nothing below that start is required;
 * - every acknowledged write is at its offset with its message; no offset is acked twice;
 * - a message (acked or of unknown outcome) appears at most once in the log;
 * - a write sent with an Idempotency-Key ends acked or refused: its writer retried every unknown
 *   outcome with the same key, so with the checks above every such message is in the log
 *   exactly once (acked) or not at all (refused);
 * - a refused write (4xx, 503, 507) never appears; nothing appears that nobody wrote;
 * - an offset acknowledged before a read started is never answered "not there" by that read;
 * - every GET /Data/Range page read during the run keeps range-checker.ts's rules.
 */
import type { RangePageRecord, ReadRecord, WriteRecord } from './history';
import { checkRangePages, type RangeCheck } from './range-checker';

export type ViolationKind =
  | 'conflict'
  | 'hole'
  | 'lost-ack'
  | 'wrong-offset'
  | 'double-ack'
  | 'duplicate'
  | 'refused-written'
  | 'phantom'
  | 'ack-not-readable'
  | 'bad-trim'
  | 'not-converged'
  | 'unresolved'
  // Range pages (range-checker.ts)
  | 'range-mismatch'
  | 'range-gap'
  | 'range-limit'
  | 'range-empty'
  | 'range-bad-trim'
  // followers (follower-checker.ts)
  | 'follower-gap'
  | 'follower-duplicate'
  | 'follower-uncommitted'
  | 'follower-behind'
  | 'follower-bad-trim';

export interface Violation {
  kind: ViolationKind;
  /** The offset it is about, when there is one (violations sort by it). */
  offset?: number;
  message?: string;
  /** When it was seen, for the history excerpt. */
  at?: number;
  detail: string;
}

export interface CheckInput {
  writes: WriteRecord[];
  /** Reads made while the nemesis ran (through the API). */
  liveReads: ReadRecord[];
  /** GET /Data/Range pages read while the nemesis ran. */
  rangePages?: RangePageRecord[];
  /** Reads made after healing: every offset below logEnd, from every source. */
  finalReads: ReadRecord[];
  /** Where the log ends after healing (the leader's high watermark). */
  logEnd: number;
  /**
   * Retention: the leader's log start after healing (0 without retention). Offsets below it may
   * be gone; a read may be refused as trimmed (410) only below it and below the start it named.
   */
  logStart?: number;
}

export interface CheckResult {
  violations: Violation[];
  /** Offset -> message, as the final reads agree. */
  log: Map<number, string>;
  ackedChecked: number;
  unknownFound: number;
  unknownMissing: number;
  /** The Range pages checked (range-checker.ts). */
  range: Omit<RangeCheck, 'violations'>;
  /** The leader's log start the checks used (0 without retention). */
  logStart: number;
}

export function checkHistory(input: CheckInput): CheckResult {
  const violations: Violation[] = [];
  const log = new Map<number, string>();
  const logStart = input.logStart ?? 0;

  for (const read of [...input.finalReads, ...input.liveReads]) {
    if (read.trimmedAt === undefined) continue;
    if (read.offset >= read.trimmedAt || read.offset >= logStart) {
      violations.push({
        kind: 'bad-trim',
        offset: read.offset,
        at: read.end,
        detail: `${read.source} answered offset ${read.offset} as deleted by retention (log start ${read.trimmedAt}), but the leader's log start is ${logStart}`,
      });
    }
  }

  // What each offset shows, over every read ever made.
  const seen = new Map<number, Map<string, ReadRecord>>();
  for (const read of [...input.finalReads, ...input.liveReads]) {
    if (read.message === null) continue;
    let messages = seen.get(read.offset);
    if (!messages) seen.set(read.offset, (messages = new Map()));
    if (!messages.has(read.message)) messages.set(read.message, read);
  }
  for (const [offset, messages] of seen) {
    if (messages.size > 1) {
      const shown = [...messages.values()]
        .map((r) => `"${r.message}" (from ${r.source})`)
        .join(' vs ');
      violations.push({
        kind: 'conflict',
        offset,
        at: Math.min(...[...messages.values()].map((r) => r.end)),
        detail: `offset ${offset} showed different messages: ${shown}`,
      });
    }
  }

  // The final log: what the final reads show; a source with nothing below logEnd is a hole.
  const holes = new Map<number, string[]>();
  for (const read of input.finalReads) {
    if (read.offset >= input.logEnd || read.offset < logStart) continue;
    if (read.message === null) {
      const sources = holes.get(read.offset) ?? [];
      sources.push(read.source);
      holes.set(read.offset, sources);
    } else if (!log.has(read.offset)) {
      log.set(read.offset, read.message);
    }
  }
  for (const [offset, sources] of holes) {
    violations.push({
      kind: 'hole',
      offset,
      detail: `offset ${offset} is below the end of the log (${input.logEnd}) but ${sources.join(', ')} said it is not there${log.has(offset) ? ` (others show "${log.get(offset)}")` : ''}`,
    });
  }

  // Where each message is.
  const positions = new Map<string, number[]>();
  for (const [offset, message] of log) {
    const list = positions.get(message) ?? [];
    list.push(offset);
    positions.set(message, list);
  }
  const written = new Map<string, WriteRecord>();
  for (const write of input.writes) written.set(write.message, write);

  let ackedChecked = 0;
  let unknownFound = 0;
  let unknownMissing = 0;
  const ackedAt = new Map<number, WriteRecord & { kind: 'acked' }>();
  for (const write of input.writes) {
    const where = positions.get(write.message) ?? [];
    if (where.length > 1) {
      violations.push({
        kind: 'duplicate',
        offset: where[1],
        message: write.message,
        at: write.end,
        detail: `"${write.message}" (${write.kind}) is in the log ${where.length} times, at offsets ${where.join(', ')}`,
      });
    }
    if (write.kind === 'acked') {
      ackedChecked++;
      const other = ackedAt.get(write.offset);
      if (other) {
        violations.push({
          kind: 'double-ack',
          offset: write.offset,
          message: write.message,
          at: write.end,
          detail: `offset ${write.offset} was acknowledged for "${other.message}" and for "${write.message}"`,
        });
      } else {
        ackedAt.set(write.offset, write);
      }
      const actual = log.get(write.offset);
      if (actual === write.message) continue;
      // Deleted by retention: nothing left to compare (a trimmed read above the start is checked above).
      if (actual === undefined && write.offset < logStart) continue;
      if (actual === undefined) {
        violations.push({
          kind: 'lost-ack',
          offset: write.offset,
          message: write.message,
          at: write.end,
          detail: `"${write.message}" was acknowledged at offset ${write.offset}, which ${write.offset >= input.logEnd ? `is past the end of the log (${input.logEnd})` : 'nobody could read'}${where.length ? `; the message is at ${where.join(', ')}` : ''}`,
        });
      } else {
        violations.push({
          kind: where.length ? 'wrong-offset' : 'lost-ack',
          offset: write.offset,
          message: write.message,
          at: write.end,
          detail: `"${write.message}" was acknowledged at offset ${write.offset}, which holds "${actual}"${where.length ? `; the message is at ${where.join(', ')}` : ' and the message is nowhere in the log'}`,
        });
      }
    } else if (write.kind === 'refused') {
      if (where.length) {
        violations.push({
          kind: 'refused-written',
          offset: where[0],
          message: write.message,
          at: write.end,
          detail: `"${write.message}" was refused with ${write.status} (= not stored) but is at offset ${where.join(', ')}`,
        });
      }
    } else {
      if (where.length) unknownFound++;
      else unknownMissing++;
      if (write.key !== undefined) {
        violations.push({
          kind: 'unresolved',
          offset: where[0],
          message: write.message,
          at: write.end,
          detail: `"${write.message}" was retried ${write.attempts ?? 1} times with Idempotency-Key "${write.key}" and never got a final answer (${write.reason}); it is ${where.length ? `at offset ${where.join(', ')}` : 'not in the log'}`,
        });
      }
    }
  }
  for (const [message, where] of positions) {
    if (!written.has(message)) {
      violations.push({
        kind: 'phantom',
        offset: where[0],
        message,
        detail: `offset ${where.join(', ')} holds "${message}", which nobody wrote`,
      });
    }
  }

  // Reads during the run: an offset acknowledged before the read began must be readable.
  for (const read of input.liveReads) {
    if (read.message !== null || read.trimmedAt !== undefined) continue;
    const ack = ackedAt.get(read.offset);
    if (ack && ack.end < read.start) {
      violations.push({
        kind: 'ack-not-readable',
        offset: read.offset,
        at: read.end,
        detail: `offset ${read.offset} ("${ack.message}") was acknowledged at ${ack.end} but a read through ${read.source} from ${read.start} said it is not there`,
      });
    }
  }

  const { violations: rangeViolations, ...range } = checkRangePages(input.rangePages ?? [], {
    log,
    logEnd: input.logEnd,
    logStart,
    ackedAt,
  });
  violations.push(...rangeViolations);

  violations.sort((a, b) => (a.offset ?? -1) - (b.offset ?? -1));
  return { violations, log, ackedChecked, unknownFound, unknownMissing, range, logStart };
}

/** min / median / max of a list of durations, or undefined when it is empty. */
export function summarize(
  values: number[],
): { min: number; median: number; max: number } | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 ? sorted[mid] : Math.round((sorted[mid - 1] + sorted[mid]) / 2);
  return { min: sorted[0], median, max: sorted[sorted.length - 1] };
}
