import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BATCH_HEADER_BYTES, Log } from '@distilled/log-store';
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

  it('asks the log for little when few messages are wanted, and for more as the range goes on', async () => {
    const asked: number[] = [];
    const spy = {
      withBatchesFrom: <T>(offset: number, maxBytes: number, use: (batches: Buffer) => T) => {
        asked.push(maxBytes);
        return log.withBatchesFrom(offset, maxBytes, use);
      },
    };
    await readCommittedRange(spy, 0, 100, { maxCount: 1, maxBytes: 1 << 20 });
    expect(asked).toEqual([4 * 1024 + BATCH_HEADER_BYTES]);
    asked.length = 0;
    // A step ends at a segment's end (2 KiB here), so the range takes several, each larger.
    expect(
      (await readCommittedRange(spy, 0, 100, { maxCount: 100, maxBytes: 1 << 20 })).map(String),
    ).toEqual(messages);
    expect(asked.slice(0, 2)).toEqual([25_600 + BATCH_HEADER_BYTES, 51_200 + BATCH_HEADER_BYTES]);
    asked.length = 0;
    await readCommittedRange(spy, 0, 100, { maxCount: 10_000, maxBytes: 1 << 20 });
    expect(asked[0]).toBe(128 * 1024 + BATCH_HEADER_BYTES);
  });

  it('returns a first message far larger than maxBytes alone when it ends its batch (no negative read)', async () => {
    const own = mkdtempSync(join(tmpdir(), 'read-committed-range-large-'));
    const large = await Log.open({ dir: own, segmentBytes: 1 << 20, fsync: 'never' });
    try {
      const big = Buffer.alloc(300, 'b');
      await large.append([Buffer.from('a')], 1);
      await large.append([big], 1);
      await large.append([Buffer.from('c'), Buffer.from('')], 1);
      const asked: number[] = [];
      const spy = {
        withBatchesFrom: <T>(offset: number, maxBytes: number, use: (batches: Buffer) => T) => {
          asked.push(maxBytes);
          return large.withBatchesFrom(offset, maxBytes, use);
        },
      };
      const page = await readCommittedRange(spy, 1, 4, { maxCount: 10, maxBytes: 10 });
      expect(page.map(String)).toEqual([big.toString()]);
      expect(Math.min(...asked)).toBeGreaterThanOrEqual(BATCH_HEADER_BYTES);
    } finally {
      await large.close();
      rmSync(own, { recursive: true, force: true });
    }
  });

  it('stops before the message that would pass maxBytes, but always returns the first', async () => {
    const bytes = (from: number, to: number) =>
      messages.slice(from, to).reduce((sum, m) => sum + m.length, 0);
    expect(await read(20, 100, 10_000, bytes(20, 30))).toEqual(messages.slice(20, 30));
    expect(await read(20, 100, 10_000, bytes(20, 30) + 1)).toEqual(messages.slice(20, 30));
    expect(await read(20, 100, 10_000, 1)).toEqual(messages.slice(20, 21));
  });

  it("keeps its messages when later reads reuse the store's read buffer", async () => {
    const first = await readCommittedRange(log, 0, 100, { maxCount: 10_000, maxBytes: 1 << 20 });
    const copy = first.map(String);
    // Reads of other places of the log, into the same reused buffer.
    await readCommittedRange(log, 50, 100, { maxCount: 10_000, maxBytes: 1 << 20 });
    await readCommittedRange(log, 7, 100, { maxCount: 3, maxBytes: 1 << 20 });
    expect(first.map(String)).toEqual(copy);
    expect(copy).toEqual(messages);
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

  describe('with retention deleting segments while a range is read', () => {
    let big: Log;
    let bigDir: string;
    /** 60 messages of 10 KiB in 64 KiB segments: one 128 KiB step of readFrom holds about 12. */
    const large = Array.from({ length: 60 }, (_, i) => `${i}:`.padEnd(10 * 1024, 'x'));

    beforeEach(async () => {
      bigDir = mkdtempSync(join(tmpdir(), 'read-committed-range-retention-'));
      big = await Log.open({ dir: bigDir, segmentBytes: 64 * 1024, fsync: 'never' });
      for (const message of large) await big.append([Buffer.from(message)], 1);
    });
    afterEach(async () => {
      await big.close();
      rmSync(bigDir, { recursive: true, force: true });
    });

    it('a start that passes the range between two steps ends it with the whole messages read', async () => {
      let moved = false;
      // The log's own readFrom, then the leader's retention deletes below 40 before the next step.
      const racing = {
        withBatchesFrom: async <T>(
          offset: number,
          maxBytes: number,
          use: (batches: Buffer) => T,
        ) => {
          const taken = await big.withBatchesFrom(offset, maxBytes, use);
          if (!moved) {
            moved = true;
            await big.advanceStartTo(40);
          }
          return taken;
        },
      };
      const got = (
        await readCommittedRange(racing, 0, 60, { maxCount: 100, maxBytes: 1 << 20 })
      ).map(String);
      expect(moved).toBe(true);
      expect(got.length).toBeGreaterThan(0);
      expect(got.length).toBeLessThan(40);
      expect(got).toEqual(large.slice(0, got.length));
      // The next page, from where it stopped, is refused cleanly (the API's 410).
      await expect(
        readCommittedRange(big, got.length, 60, { maxCount: 100, maxBytes: 1 << 20 }),
      ).rejects.toMatchObject({ code: 'OFFSET_TRIMMED', details: { logStartOffset: 40 } });
    });
  });
});
