import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Log } from '@distilled/log-store';
import { readCommittedRange } from './read-committed-range';

describe('readCommittedRange', () => {
  let dir: string;
  let log: Log;
  /** Offsets 0..99 in batches of 1, 3 and 7 messages; message i is "m<i>" padded to i % 13 + 2 bytes. */
  const messages: string[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'read-committed-range-'));
    log = await Log.open({ dir, segmentBytes: 2048, fsync: 'never' });
    const sizes = [1, 3, 7];
    while (messages.length < 100) {
      const k = Math.min(sizes[messages.length % 3], 100 - messages.length);
      const batch = Array.from({ length: k }, (_, j) =>
        `m${messages.length + j}`.padEnd(((messages.length + j) % 13) + 2, '.'),
      );
      await log.append(
        batch.map((m) => Buffer.from(m)),
        1,
      );
      messages.push(...batch);
    }
  });
  afterAll(async () => {
    await log.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const read = async (offset: number, end: number, maxCount: number, maxBytes: number) =>
    (await readCommittedRange(log, offset, end, { maxCount, maxBytes })).map(String);

  it('reads across batches and segments, starting inside a batch', async () => {
    expect(await read(5, 100, 10_000, 1 << 20)).toEqual(messages.slice(5));
    expect(await read(0, 100, 10_000, 1 << 20)).toEqual(messages);
  });

  it('never passes `end` (the high watermark)', async () => {
    expect(await read(10, 42, 10_000, 1 << 20)).toEqual(messages.slice(10, 42));
    expect(await read(42, 42, 10_000, 1 << 20)).toEqual([]);
    expect(await read(50, 42, 10_000, 1 << 20)).toEqual([]);
  });

  it('stops at maxCount', async () => {
    expect(await read(3, 100, 4, 1 << 20)).toEqual(messages.slice(3, 7));
    expect(await read(99, 100, 4, 1 << 20)).toEqual(messages.slice(99));
  });

  it('stops before the message that would pass maxBytes, but always returns the first', async () => {
    const bytes = (from: number, to: number) =>
      messages.slice(from, to).reduce((sum, m) => sum + m.length, 0);
    expect(await read(20, 100, 10_000, bytes(20, 30))).toEqual(messages.slice(20, 30));
    expect(await read(20, 100, 10_000, bytes(20, 30) + 1)).toEqual(messages.slice(20, 30));
    expect(await read(20, 100, 10_000, 1)).toEqual(messages.slice(20, 21));
  });

  it('pages through the log in random steps exactly like reading it whole', async () => {
    for (let round = 0; round < 20; round++) {
      const seen: string[] = [];
      let next = 0;
      while (next < 100) {
        const page = await read(
          next,
          100,
          1 + Math.floor(Math.random() * 9),
          1 + Math.floor(Math.random() * 60),
        );
        expect(page.length).toBeGreaterThan(0);
        seen.push(...page);
        next += page.length;
      }
      expect(seen).toEqual(messages);
    }
  });
});
