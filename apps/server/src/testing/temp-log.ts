/**
 * A real segment-file Log in a temporary directory, for server specs whose code reads whole
 * record batches (ReadRange, Follow): FakeLogStore's batches are not the real layout.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Log } from '@distilled/log-store';

export interface TempLog {
  log: Log;
  /** Appends one batch of UTF-8 messages at epoch 1. */
  append(...messages: string[]): Promise<void>;
  remove(): Promise<void>;
}

export async function openTempLog(): Promise<TempLog> {
  const dir = mkdtempSync(join(tmpdir(), 'distilled-server-spec-'));
  const log = await Log.open({ dir, fsync: 'never' });
  return {
    log,
    append: async (...messages) => {
      await log.append(
        messages.map((m) => Buffer.from(m)),
        1,
      );
    },
    remove: async () => {
      await log.close().catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
