// The frames of GET /ui/events, as the API sends them. The API's own definition is
// apps/api/src/console/console-frame.ts; the apps do not import each other, so this mirrors it
// (the browser e2e test, test/console.e2e-spec.ts, fails when they drift apart).

export type ReplicaRole =
  'leader' | 'follower' | 'starting' | 'unreachable' | 'unregistered' | 'departed';

export interface ConsoleReplica {
  id: string;
  address: string | null;
  role: ReplicaRole;
  inSync: boolean;
  logStartOffset: number;
  logEndOffset: number | null;
  highWatermark: number | null;
  problem?: string;
}

export interface LeaderChange {
  at: number;
  from: string | null;
  to: string | null;
  epoch: number;
  reason: string;
  text: string;
}

export interface TrafficSample {
  at: number;
  writesPerSec: number;
  readsPerSec: number;
  clientErrorsPerSec: number;
  serverErrorsPerSec: number;
}

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
  preview: string;
  bytes: number;
  truncated: boolean;
}

export interface ConsoleProblem {
  key: string;
  severity: 'warning' | 'error';
  since: number;
  text: string;
}

export interface ConsoleState {
  at: number;
  leader: string | null;
  epoch: number;
  committedEnd: number;
  replicas: ConsoleReplica[];
  problems: ConsoleProblem[];
  leaderChanges: LeaderChange[];
  latency: LatencySummary;
  tail: TailMessage[];
  tailError: string | null;
}

export interface SnapshotFrame {
  state: ConsoleState;
  traffic: TrafficSample[];
}

export interface UpdateFrame {
  state: ConsoleState;
  traffic: TrafficSample | null;
}
