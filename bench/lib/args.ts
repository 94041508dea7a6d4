/**
 * The benchmarks' flags, declared once for all of them (`npm run bench -- <name> --flag ...`),
 * read with the shared `Flags` of @distilled/common: an unknown or misspelt flag stops the run
 * instead of being ignored.
 */
import { Flags, type FlagSpec } from '@distilled/common';

const value: FlagSpec = { type: 'string' };
const toggle: FlagSpec = { type: 'boolean' };

const BENCH_FLAGS = {
  // suite
  duration: value,
  warmup: value,
  'fsync-duration': value,
  repeat: value,
  'warm-rounds': value,
  'write-warmup': value,
  'write-duration': value,
  concurrency: value,
  sizes: value,
  'grpc-channels': value,
  replicas: value,
  'min-insync': value,
  fsync: value,
  only: value,
  dist: value,
  'replica-node-args': value,
  'api-node-args': value,
  note: value,
  profile: toggle,
  'no-peers': toggle,
  tls: toggle,
  verbose: toggle,
  help: toggle,
  // memory, api
  messages: value,
  size: value,
  batch: value,
  'max-seconds': value,
  rounds: value,
  // at-once
  writers: value,
  'api-keys': toggle,
  // readers
  'latency-seconds': value,
  'latency-warmup-seconds': value,
  'read-rounds': value,
  followers: value,
  rate: value,
  idle: value,
  // log-store
  dir: value,
  seconds: value,
  'graceful-rounds': value,
  // retention
  'retention-bytes': value,
  'segment-bytes': value,
  // keyed-cycle
  phases: value,
  // batch-cycle
  key: toggle,
  // fetch-frames
  cycles: value,
  bytes: value,
  window: value,
  // at-once
  a: value,
  b: value,
  case: value,
  'case-a': value,
  'case-b': value,
  'a-node-args': value,
  'b-node-args': value,
};

export type BenchFlag = keyof typeof BENCH_FLAGS;

export class Args {
  private readonly flags: Flags<BenchFlag>;

  constructor(argv: string[]) {
    this.flags = Flags.parse(argv, BENCH_FLAGS);
  }

  has(name: BenchFlag): boolean {
    return this.flags.has(name);
  }

  string(name: BenchFlag, fallback: string): string {
    return this.flags.string(name, fallback);
  }

  /** A number >= 0 (seconds may be fractional). */
  number(name: BenchFlag, fallback: number): number {
    return this.flags.number(name, fallback);
  }

  /** Comma-separated list; sizes accept a k/KiB/m suffix (1k = 1024). */
  list(name: BenchFlag, fallback: number[]): number[] {
    return this.has(name)
      ? this.flags.list(name, []).map((item) => parseSize(item, name))
      : fallback;
  }
}

export function parseSize(raw: string, name = 'value'): number {
  const match = /^(\d+(?:\.\d+)?)\s*(b|k|kb|kib|m|mb|mib)?$/i.exec(raw.trim());
  if (!match) throw new Error(`--${name}: cannot read ${JSON.stringify(raw)}`);
  const unit = (match[2] ?? 'b').toLowerCase();
  const factor = unit.startsWith('k') ? 1024 : unit.startsWith('m') ? 1024 * 1024 : 1;
  return Math.round(Number(match[1]) * factor);
}
