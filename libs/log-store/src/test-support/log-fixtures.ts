/**
 * Shared fixtures of the Log specs (log.spec.ts, group-commit.spec.ts, log-loader.spec.ts, ...):
 * open a small-segment log, fill it, check what it holds, expect an error code, damage a file.
 */
import * as fs from 'node:fs';
import { LogStoreError } from '../errors';
import { Log, type LogOptions } from '../log';

export interface Warnings {
  logger: { log: jest.Mock; warn: jest.Mock };
  text(): string;
}
export function warnings(): Warnings {
  const logger = { log: jest.fn(), warn: jest.fn() };
  return { logger, text: () => logger.warn.mock.calls.map((c) => String(c[0])).join('\n') };
}

export async function open(dir: string, extra: Partial<LogOptions> = {}): Promise<Log> {
  return Log.open({ dir, segmentBytes: 1024, ...extra });
}

/** Appends `n` single-message batches (plus a few multi-message ones) and returns the messages by offset. */
export async function fill(log: Log, n: number, epoch = 1): Promise<string[]> {
  const out: string[] = [];
  while (out.length < n) {
    const k = out.length % 7 === 3 ? 3 : 1;
    const batch = Array.from({ length: k }, (_, j) => `m${out.length + j}`);
    const r = await log.append(
      batch.map((s) => Buffer.from(s)),
      epoch,
    );
    expect(r.baseOffset).toBe(out.length);
    out.push(...batch);
  }
  return out;
}

export async function expectAll(log: Log, expected: string[]): Promise<void> {
  expect(log.logEndOffset).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    expect((await log.read(i)).message.toString()).toBe(expected[i]);
  }
}

export async function expectCode(
  p: Promise<unknown> | (() => unknown),
  code: string,
): Promise<LogStoreError> {
  let err: unknown;
  try {
    await (typeof p === 'function' ? p() : p);
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(LogStoreError);
  expect((err as LogStoreError).code).toBe(code);
  return err as LogStoreError;
}

export function files(dir: string, suffix: string): string[] {
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith(suffix))
    .sort();
}

/** Flips every bit of one byte of a file (a damaged disk, for corruption cases). */
export function flipByte(file: string, at: number): void {
  const b = fs.readFileSync(file);
  b[at] ^= 0xff;
  fs.writeFileSync(file, b);
}
