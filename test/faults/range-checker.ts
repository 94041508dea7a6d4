/**
 * The fault suites' rules for GET /Data/Range pages read while faults ran, kept apart from
 * checker.ts (which calls them once it has the final log): pure functions, proved on hand-made
 * histories in checker.e2e-spec.ts.
 *
 * Every page must:
 * - show at each offset what the final reads agree the log holds there (a message the final log
 *   does not hold at that offset was changed or was never committed);
 * - hold offsets contiguous from the one asked, with nextOffset right after the last of them;
 * - keep within its limit, and within maxBytes unless it is a single message (DESIGN.md: at
 *   least one message when one is committed at the offset);
 * - not be empty when its offset was acknowledged before the read began (a 503 is allowed, an
 *   empty 200 could hide an acknowledged message);
 * - be a 410 only below the leader's final log start and below the start it named.
 */
import type { RangePageRecord, WriteRecord } from './history';
import type { Violation } from './checker';

export interface RangeCheckContext {
  /** Offset -> message, as the final reads agree. */
  log: Map<number, string>;
  /** Where the final log ends (the leader's high watermark). */
  logEnd: number;
  /** The leader's final log start (0 without retention). */
  logStart: number;
  /** The acknowledged write at each offset. */
  ackedAt: Map<number, WriteRecord & { kind: 'acked' }>;
}

export interface RangeCheck {
  violations: Violation[];
  /** 200 pages checked, and the messages in them. */
  pages: number;
  messages: number;
  /** 410s checked. */
  trimmed: number;
}

export function checkRangePages(
  pages: readonly RangePageRecord[],
  context: RangeCheckContext,
): RangeCheck {
  const violations: Violation[] = [];
  let messages = 0;
  let trimmed = 0;
  for (const page of pages) {
    const asked = describeAsk(page);
    if (page.trimmedAt !== undefined) {
      trimmed++;
      if (page.offset >= page.trimmedAt || page.offset >= context.logStart) {
        violations.push({
          kind: 'range-bad-trim',
          offset: page.offset,
          at: page.end,
          detail: `${asked} was answered 410 (log start ${page.trimmedAt}), but the leader's log start is ${context.logStart}`,
        });
      }
      continue;
    }
    messages += page.messages.length;
    checkContents(page, asked, context, violations);
    checkShape(page, asked, violations);
    if (page.messages.length === 0) {
      const ack = context.ackedAt.get(page.offset);
      if (ack && ack.end < page.start) {
        violations.push({
          kind: 'range-empty',
          offset: page.offset,
          at: page.end,
          detail: `${asked} from ${page.start} was answered with no message, but offset ${page.offset} ("${ack.message}") was acknowledged at ${ack.end}`,
        });
      }
    }
  }
  return { violations, pages: pages.length - trimmed, messages, trimmed };
}

/** Each message against the final log (or, below a retention start, the acknowledged write). */
function checkContents(
  page: RangePageRecord,
  asked: string,
  context: RangeCheckContext,
  violations: Violation[],
): void {
  for (const { offset, message } of page.messages) {
    if (offset < context.logStart) {
      // Deleted since: only an acknowledgement says what it was.
      const ack = context.ackedAt.get(offset);
      if (ack && ack.message !== message) {
        violations.push({
          kind: 'range-mismatch',
          offset,
          message,
          at: page.end,
          detail: `${asked} showed "${message}" at offset ${offset}, which was acknowledged for "${ack.message}"`,
        });
      }
      continue;
    }
    const actual = context.log.get(offset);
    if (actual === message) continue;
    violations.push({
      kind: 'range-mismatch',
      offset,
      message,
      at: page.end,
      detail:
        actual === undefined
          ? `${asked} showed "${message}" at offset ${offset}, which the final log (end ${context.logEnd}) does not hold: never committed`
          : `${asked} showed "${message}" at offset ${offset}, where the final log holds "${actual}"`,
    });
  }
}

/** Offsets contiguous from the one asked, nextOffset after them, limit and maxBytes kept. */
function checkShape(page: RangePageRecord, asked: string, violations: Violation[]): void {
  const count = page.messages.length;
  const wrong = page.messages.findIndex((m, i) => m.offset !== page.offset + i);
  if (wrong >= 0) {
    violations.push({
      kind: 'range-gap',
      offset: page.offset + wrong,
      at: page.end,
      detail: `${asked} answered offset ${page.messages[wrong].offset} as its message ${wrong + 1}, not ${page.offset + wrong}`,
    });
  } else if (page.nextOffset !== page.offset + count) {
    violations.push({
      kind: 'range-gap',
      offset: page.offset,
      at: page.end,
      detail: `${asked} returned ${count} messages but nextOffset ${page.nextOffset}, not ${page.offset + count}`,
    });
  }
  if (count > page.limit) {
    violations.push({
      kind: 'range-limit',
      offset: page.offset,
      at: page.end,
      detail: `${asked} returned ${count} messages, more than its limit`,
    });
  }
  const bytes = page.messages.reduce((sum, m) => sum + Buffer.byteLength(m.message), 0);
  if (page.maxBytes !== undefined && count > 1 && bytes > page.maxBytes) {
    violations.push({
      kind: 'range-limit',
      offset: page.offset,
      at: page.end,
      detail: `${asked} returned ${count} messages of ${bytes} bytes, more than its maxBytes`,
    });
  }
}

function describeAsk(page: RangePageRecord): string {
  const params = [
    `offset=${page.offset}`,
    `limit=${page.limit}`,
    ...(page.maxBytes !== undefined ? [`maxBytes=${page.maxBytes}`] : []),
    ...(page.waitSeconds !== undefined ? [`wait=${page.waitSeconds}`] : []),
  ];
  return `${page.source} GET /Data/Range?${params.join('&')}`;
}
