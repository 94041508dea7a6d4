// The frames of GET /ui/events, by name: the API (apps/api/src/console) sends them, the console
// page (apps/console) reads them. Types only, so the page's bundle gets no code from here.
export type {
  ConsoleProblem,
  ConsoleReplica,
  ConsoleState,
  LatencySummary,
  LeaderChange,
  LeaderChangeReason,
  Percentiles,
  SnapshotFrame,
  TailMessage,
  TrafficSample,
  UpdateFrame,
} from './console-frame';
