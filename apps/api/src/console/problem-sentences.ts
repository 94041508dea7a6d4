import type { ConditionAge } from './condition-clock';
import type { ConsoleProblem, ConsoleReplica } from '@distilled/console-frames';

/** One condition worth telling an operator, before it is dated and put into words. */
interface Condition {
  key: string;
  severity: ConsoleProblem['severity'];
  /** The sentence, given "since 07:31:12 UTC" (or "since at least ..."). */
  say(since: string): string;
}

export interface ClusterPicture {
  leader: string | null;
  committedEnd: number;
  replicas: ConsoleReplica[];
}

/**
 * The conditions of one cluster picture, keyed so a ConditionClock can date them (the same key
 * while the condition lasts).
 */
export function findConditions(picture: ClusterPicture): Condition[] {
  const conditions: Condition[] = [];
  if (picture.leader === null) {
    conditions.push({
      key: 'no-leader',
      severity: 'error',
      say: (since) => `No replica has led ${since}: writes are refused (503) until one is elected.`,
    });
  }
  for (const replica of picture.replicas) {
    const id = replica.id;
    switch (replica.role) {
      case 'departed':
        conditions.push({
          key: `departed:${id}`,
          severity: 'warning',
          say: (since) => `${id} has been gone ${since}: it is neither registered nor in the ISR.`,
        });
        continue;
      case 'unregistered':
        conditions.push({
          key: `unregistered:${id}`,
          severity: 'warning',
          say: (since) =>
            `${id} is in the ISR but has not been registered ${since}: its process has probably stopped, and the leader should drop it from the ISR.`,
        });
        continue;
      case 'unreachable':
        conditions.push({
          key: `unreachable:${id}`,
          severity: replica.inSync ? 'error' : 'warning',
          say: (since) =>
            `${id} has not answered ${since}` +
            (replica.inSync
              ? '; it is still in the ISR, so commits wait for it until the leader drops it.'
              : '.'),
        });
        continue;
      default:
        break;
    }
    if (replica.problem) {
      conditions.push({
        key: `refusing:${id}`,
        severity: 'error',
        say: (since) => `${id} has refused to serve ${since}: ${replica.problem}`,
      });
    }
    if (!replica.inSync) {
      conditions.push({
        key: `out-of-sync:${id}`,
        severity: 'warning',
        say: (since) => `${id} has been out of sync ${since}${behind(replica, picture)}`,
      });
    }
  }
  return conditions;
}

/** The problems of a picture as sentences, dated by `ages` (from ConditionClock.observe). */
export function describeProblems(
  conditions: Condition[],
  ages: ReadonlyMap<string, ConditionAge>,
  now: number,
): ConsoleProblem[] {
  return conditions.map((condition) => {
    const age = ages.get(condition.key) ?? { since: now, atLeast: true };
    const since = `since ${age.atLeast ? 'at least ' : ''}${formatUtcTime(age.since)}`;
    return {
      key: condition.key,
      severity: condition.severity,
      since: age.since,
      text: condition.say(since),
    };
  });
}

function behind(replica: ConsoleReplica, picture: ClusterPicture): string {
  if (replica.logEndOffset === null) return '.';
  const missing = picture.committedEnd - replica.logEndOffset;
  if (missing <= 0) {
    return '; it holds every committed message and should rejoin the ISR shortly.';
  }
  return `, ${formatCount(missing)} ${missing === 1 ? 'message' : 'messages'} behind.`;
}

/** 07:31:12 UTC: operators compare it with logs, which are in UTC. */
export function formatUtcTime(ms: number): string {
  return `${new Date(ms).toISOString().slice(11, 19)} UTC`;
}

/** 1,234: grouped so large gaps read at a glance. */
export function formatCount(n: number): string {
  return n.toLocaleString('en-US');
}
