/**
 * What GET /ui/events sends: the wire contract between the API's shared feed and the console
 * page, in a library because the apps do not import each other. Times are milliseconds since
 * the epoch; offsets are plain numbers like everywhere in the API.
 */

/** A replica as the console draws it: /Cluster's node plus what the feed remembers. */
export interface ConsoleReplica {
  id: string;
  address: string | null;
  /** /Cluster's roles, plus `departed`: seen earlier, now neither registered nor in the ISR. */
  role: 'leader' | 'follower' | 'starting' | 'unreachable' | 'unregistered' | 'departed';
  inSync: boolean;
  /** /Cluster's logStartOffset where it reports one; 0 until retention exists. */
  logStartOffset: number;
  logEndOffset: number | null;
  highWatermark: number | null;
  /** Why the replica refuses to serve, when it says so. */
  problem?: string;
}

/** How the API explains a change of leader, from what it could see (see leader-history.ts). */
export type LeaderChangeReason =
  'first-seen' | 'left-membership' | 'handover' | 'unknown' | 're-elected' | 'after-no-leader';

export interface LeaderChange {
  at: number;
  from: string | null;
  to: string | null;
  epoch: number;
  reason: LeaderChangeReason;
  /** The reason as a sentence for people. */
  text: string;
}

/** One second of /Data traffic, from the API's own request counters. */
export interface TrafficSample {
  at: number;
  writesPerSec: number;
  readsPerSec: number;
  clientErrorsPerSec: number;
  serverErrorsPerSec: number;
}

/** Latency percentiles in milliseconds over the last few seconds; null with no requests. */
export interface Percentiles {
  count: number;
  p50: number;
  p90: number;
  p99: number;
}

export interface LatencySummary {
  windowSeconds: number;
  writes: Percentiles | null;
  reads: Percentiles | null;
}

export interface TailMessage {
  offset: number;
  /** The start of the message as text; `truncated` when there is more. */
  preview: string;
  bytes: number;
  truncated: boolean;
}

export interface ConsoleProblem {
  /** Stable while the condition lasts (e.g. `out-of-sync:replica-2`), for list keys. */
  key: string;
  severity: 'warning' | 'error';
  since: number;
  text: string;
}

export interface ConsoleState {
  at: number;
  leader: string | null;
  epoch: number;
  /** The committed end: the highest high watermark any replica reported. */
  committedEnd: number;
  replicas: ConsoleReplica[];
  problems: ConsoleProblem[];
  /** Newest first. */
  leaderChanges: LeaderChange[];
  latency: LatencySummary;
  /** Newest first. */
  tail: TailMessage[];
  /** Why the tail could not be read, when it could not. */
  tailError: string | null;
}

/** `snapshot`: sent first and after skipped frames; `update`: the state and the newest sample. */
export interface SnapshotFrame {
  state: ConsoleState;
  traffic: TrafficSample[];
}

export interface UpdateFrame {
  state: ConsoleState;
  traffic: TrafficSample | null;
}
