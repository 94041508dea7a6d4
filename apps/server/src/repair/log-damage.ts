import * as path from 'node:path';
import type { CorruptBatch, RecoveryCut } from '@distilled/log-store';
import type { CatchUp } from './catch-up';

/**
 * What a replica knows it is missing: every offset in [from, needed) was committed (the cluster
 * acknowledged it) and this replica's log no longer holds it. Until its log end reaches
 * `needed` again, by fetching from the leader, it must not serve reads or lead: leading would
 * lose those messages for good (the Jepsen JetStream scenario), reads could miss them.
 */
export interface LogDamage {
  /** The first offset the log lacks (where it was cut). */
  readonly from: number;
  /** The high watermark the log must reach again: the highest HW this replica has known. */
  readonly needed: number;
  /** Why, in words an operator can act on ("the segment X was corrupt at byte N and ..."). */
  readonly cause: string;
  /**
   * Set when the damaged batch is still in the log, saying why it was not cut: no other in-sync
   * replica holds those messages (cutting would delete everything after the batch for good,
   * with nobody to fetch it from), or the cut failed. Such damage is not repaired by this
   * replica on its own; an operator must act.
   */
  readonly kept?: string;
}

/** The two findings merged: from the lower cut to the higher HW. */
export function mergeDamage(a: LogDamage | null, b: LogDamage): LogDamage {
  if (!a) return b;
  return {
    from: Math.min(a.from, b.from),
    needed: Math.max(a.needed, b.needed),
    cause: a.from <= b.from ? a.cause : b.cause,
    kept: b.kept ?? a.kept,
  };
}

const range = (damage: LogDamage) => `${damage.from}..${damage.needed - 1}`;

/**
 * Why a log found short at start is short: the lowest cut recovery made, or, when recovery cut
 * nothing, files that went missing.
 */
export function startCause(
  logEndOffset: number,
  cuts: readonly RecoveryCut[],
  checkpoint: number,
): string {
  const cut = [...cuts].sort((a, b) => a.endOffset - b.endOffset)[0];
  const what = cut
    ? `the segment ${path.basename(cut.file)} was corrupt at byte ${cut.position} (${cut.reason}) and recovery cut it back`
    : `the log ends at offset ${logEndOffset} although it held more: segment files were lost or replaced`;
  return `${what}; high watermark checkpoint ${checkpoint}`;
}

/** Why the log was cut at run time. */
export function runtimeCause(
  at: CorruptBatch,
  foundBy: string,
  highWatermark: number,
  cut = true,
): string {
  const what = cut ? `, and the log is cut back to offset ${at.baseOffset}` : '';
  return `the batch at byte ${at.position} of the segment ${path.basename(at.file)} was corrupt, found by ${foundBy}${what}; high watermark ${highWatermark}`;
}

/** What an operator must do about damage that was kept (see LogDamage.kept). */
const keptAdvice = (kept: string) =>
  `${kept}, so the log is not cut; restore this replica's data directory from a backup or a copy of an intact replica`;

/** LogDamage.kept for the only in-sync replica. */
export const NO_OTHER_COPY =
  'no other in-sync replica holds these messages (cutting the log would delete everything after the batch for good)';

/** The log line when the damage is found. */
export function detectedLine(nodeId: string, damage: LogDamage): string {
  if (damage.kept) {
    return `replica ${nodeId}: the log lost committed messages ${range(damage)} (${damage.cause}): ${keptAdvice(damage.kept)}; not serving reads or standing for leader meanwhile`;
  }
  return `replica ${nodeId}: the log lost committed messages ${range(damage)} (${damage.cause}): not serving reads or standing for leader until they are re-fetched from the leader`;
}

/** Status.problem while damaged. */
export function problemText(damage: LogDamage): string {
  if (damage.kept) {
    return `the log lost committed messages ${range(damage)} (${damage.cause}); ${keptAdvice(damage.kept)}: not serving reads or standing for leader until then`;
  }
  return `the log lost committed messages ${range(damage)} (${damage.cause}); re-fetching them from the leader: not serving reads or standing for leader until then`;
}

/** The log line when there is nobody to fetch from yet (said once per damage). */
export function waitingLine(nodeId: string, damage: LogDamage): string {
  return `replica ${nodeId}: no leader to re-fetch offsets ${range(damage)} from yet; waiting for one to be elected`;
}

/**
 * The log line once the log holds everything again. `caughtUpTo`: the leader's HW after the cut,
 * when it was past the HW this replica knew (see CatchUp).
 */
export function repairedLine(
  nodeId: string,
  damage: LogDamage,
  leaderId: string | null,
  caughtUpTo?: number,
): string {
  const further =
    caughtUpTo !== undefined && caughtUpTo > damage.needed
      ? ` and caught up to offset ${caughtUpTo}, the leader's log end after the cut`
      : '';
  return `replica ${nodeId}: repaired: re-fetched offsets ${range(damage)} from leader ${leaderId ?? '(unknown)'}${further}; serving reads and standing for leader again`;
}

/** Status.problem of a follower that cut its log and has not caught up with the leader yet. */
export function catchUpProblem(catchUp: CatchUp): string {
  const target =
    catchUp.needed === undefined
      ? 'the log end the leader reports next'
      : `offset ${catchUp.needed} (the leader's log end after the cut)`;
  return `the log was cut back to offset ${catchUp.from} (a corrupt batch) and the leader may have committed past it already; fetching from the leader: not standing for leader until the log reaches ${target}`;
}

/** The log line when a follower that cut its log has nobody to catch up from (said once). */
export function catchUpWaitingLine(nodeId: string, catchUp: CatchUp, noteFile: string): string {
  return `replica ${nodeId}: no leader to catch up from after cutting the log at offset ${catchUp.from}; not standing for leader until one is elected and this log reaches its log end. ${catchUpReleaseHint(catchUp, noteFile)}`;
}

/**
 * What an operator can do when no leader will ever come. Not for a replica whose log also lacks
 * messages below its checkpoint: deleting the note would not release that one (the damage
 * lines and the README say what does).
 */
export function catchUpReleaseHint(catchUp: CatchUp, noteFile: string): string {
  return `If no other replica will ever come back (this one holds the only copy of the log), stop it and delete ${noteFile}: it then stands for leader with what it has, and acknowledged messages past offset ${catchUp.from} that its log lacks are lost`;
}

/** The log line at start when a cut made before it had not caught up yet. */
export function catchUpResumedLine(nodeId: string, catchUp: CatchUp, noteFile: string): string {
  return `replica ${nodeId}: its log was cut back to offset ${catchUp.from} before this start and had not caught up with a leader yet (${noteFile} says so): not standing for leader until its log reaches what the leader holds`;
}

/** The log line once a follower that cut its log has caught up with the leader. */
export function caughtUpLine(nodeId: string, catchUp: CatchUp, leaderId: string | null): string {
  return `replica ${nodeId}: caught up: after the cut at offset ${catchUp.from} the log reached offset ${catchUp.needed}, leader ${leaderId ?? '(unknown)'}'s log end after the cut; standing for leader again`;
}

/**
 * The log line for a corrupt batch at or past the HW: cut, and fetched again. A leader's HW is
 * the cluster's, so nothing acknowledged is lost; a follower's lags the leader's, so it cannot
 * tell and stays out of the election until it has caught up (`follower`).
 */
export function uncommittedCutLine(
  nodeId: string,
  at: CorruptBatch,
  foundBy: string,
  highWatermark: number,
  follower: boolean,
): string {
  const what = `replica ${nodeId}: the batch at byte ${at.position} of the segment ${path.basename(at.file)} was corrupt, found by ${foundBy}`;
  if (!follower) {
    return `${what}; it is not committed (high watermark ${highWatermark}), so the log is cut back to offset ${at.baseOffset} and it is fetched again from the leader`;
  }
  return `${what}; it is at or past this follower's high watermark ${highWatermark}, which may lag the leader's, so the log is cut back to offset ${at.baseOffset}, it is fetched again from the leader, and this replica does not stand for leader until its log reaches the leader's log end`;
}
