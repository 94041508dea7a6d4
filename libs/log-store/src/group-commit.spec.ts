/** Group commit: one write and one fsync per group, unsynced replication reads, a failed write, interval fsyncs. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { decodeBatches } from './record-batch';
import { expectCode, fill, open, warnings } from './test-support/log-fixtures';
import { msg, tempDirs } from './test-support/temp-dir';

const dirs = tempDirs();
afterEach(() => dirs.cleanup());

describe('GroupCommitWriter (through Log)', () => {
  describe('group commit', () => {
    it('1,000 concurrent appends keep arrival order and contiguous offsets in fewer writes', async () => {
      const log = await open(dirs.make(), { segmentBytes: 1 << 20 });
      const results = await Promise.all(
        Array.from({ length: 1000 }, (_, i) => log.append([msg(i)], 1)),
      );
      expect(results.map((r) => r.baseOffset)).toEqual(Array.from({ length: 1000 }, (_, i) => i));
      expect(log.stats.writes).toBeLessThan(1000);
      expect(log.stats.fsyncs).toBeLessThan(1000);
      expect(log.stats.batches).toBe(1000);
      for (let i = 0; i < 1000; i += 37) {
        expect((await log.read(i)).message.toString()).toBe(`message-${i}`);
      }
      await log.close();
    });

    it('appends arriving while a write is in flight go together into the next write', async () => {
      const log = await open(dirs.make(), { segmentBytes: 1 << 20 });
      const first = log.append([msg(0)], 1);
      await Promise.resolve(); // let the first write start
      const rest = Array.from({ length: 50 }, (_, i) => log.append([msg(i + 1)], 1));
      await Promise.all([first, ...rest]);
      expect(log.stats.writes).toBeLessThanOrEqual(3);
      await log.close();
    });

    it('a resolved append is readable at once, and logEndOffset never shows unwritten data', async () => {
      const log = await open(dirs.make());
      const pending = log.append([msg(0)], 1);
      expect(log.logEndOffset).toBe(0);
      await expectCode(log.read(0), 'OFFSET_OUT_OF_RANGE');
      await pending;
      expect(log.logEndOffset).toBe(1);
      expect((await log.read(0)).message.toString()).toBe('message-0');
      await log.close();
    });
  });

  describe('written but not yet synced (replication reads)', () => {
    it('onWritten fires after the write and before the fsync; only unsynced readFrom sees the batch', async () => {
      const log = await open(dirs.make(), { segmentBytes: 1 << 20 });
      await log.append([msg(0)], 1);
      const seen: { leo: number; written: number; plain: number; unsynced: number[] }[] = [];
      const stop = log.onWritten(() => {
        // Called synchronously by the writer: take what readers can see at this moment.
        const leo = log.logEndOffset;
        const written = log.writtenEndOffset;
        const plain = log.readFrom(leo, 1 << 20);
        const unsynced = log.readFrom(leo, 1 << 20, { unsynced: true });
        void Promise.all([plain, unsynced]).then(([p, u]) =>
          seen.push({
            leo,
            written,
            plain: p.length,
            unsynced: decodeBatches(u).map((b) => b.header.baseOffset),
          }),
        );
      });
      const pending = log.append([msg(1), msg(2)], 1);
      await pending;
      await new Promise((resolve) => setImmediate(resolve));
      expect(seen).toEqual([{ leo: 1, written: 3, plain: 0, unsynced: [1] }]);
      // read() and logEndOffset never show it before the fsync; after it, both agree.
      expect(log.logEndOffset).toBe(3);
      expect(log.writtenEndOffset).toBe(3);
      stop();
      await log.append([msg(3)], 1);
      expect(seen).toHaveLength(1);
      await log.close();
    });

    it('unsynced batches are served up to the written end only, whole, across a roll', async () => {
      const log = await open(dirs.make(), { segmentBytes: 300 });
      await fill(log, 20);
      let checked = false;
      log.onWritten(() => {
        const from = log.logEndOffset;
        void log.readFrom(from, 1 << 20, { unsynced: true }).then((buf) => {
          const batches = decodeBatches(buf);
          expect(batches[0].header.baseOffset).toBe(from);
          const last = batches[batches.length - 1].header;
          expect(last.baseOffset + last.count).toBeLessThanOrEqual(log.writtenEndOffset);
          checked = true;
        });
      });
      await Promise.all(Array.from({ length: 30 }, (_, i) => log.append([msg(100 + i)], 1)));
      await new Promise((resolve) => setImmediate(resolve));
      expect(checked).toBe(true);
      await expectCode(
        log.readFrom(log.writtenEndOffset + 1, 10, { unsynced: true }),
        'OFFSET_OUT_OF_RANGE',
      );
      await log.close();
    });

    it('after truncateTo, the written end is the new log end', async () => {
      const log = await open(dirs.make());
      await fill(log, 10);
      await log.truncateTo(4);
      expect(log.writtenEndOffset).toBe(log.logEndOffset);
      expect((await log.readFrom(log.logEndOffset, 100, { unsynced: true })).length).toBe(0);
      await log.close();
    });

    it('with fsync never the written end is the log end and listeners still hear every write', async () => {
      const log = await open(dirs.make(), { fsync: 'never' });
      let calls = 0;
      log.onWritten(() => {
        calls++;
        expect(log.writtenEndOffset).toBe(log.logEndOffset);
      });
      await log.append([msg(0)], 1);
      expect(calls).toBe(1);
      await log.close();
    });
  });

  describe('which thread syncs', () => {
    it('a small follower group syncs on the loop; leader groups and large follower groups on the pool', async () => {
      const leader = await open(dirs.make(), { segmentBytes: 1 << 22 });
      const follower = await open(dirs.make(), { segmentBytes: 1 << 22 });
      await leader.append([msg(0)], 1);
      expect(leader.stats).toMatchObject({ fsyncs: 1, fsyncsOnLoop: 0 }); // ships it meanwhile

      await follower.appendBatches(await leader.readFrom(0, 1 << 20));
      expect(follower.stats).toMatchObject({ fsyncs: 1, fsyncsOnLoop: 1 });

      const big = Buffer.alloc(40 * 1024, 'x');
      await leader.append([big], 1);
      await leader.append([big], 1); // 80 KiB for the follower to catch up on in one response
      await follower.appendBatches(await leader.readFrom(1, 1 << 20));
      expect(follower.stats).toMatchObject({ fsyncs: 2, fsyncsOnLoop: 1 });
      expect(follower.logEndOffset).toBe(3);
      await Promise.all([leader.close(), follower.close()]);
    });
  });

  it('a failed write stops writes (CORRUPT) but not reads, and a reopen recovers', async () => {
    const dir = dirs.make();
    const w = warnings();
    let log = await open(dir, { segmentBytes: 200, logger: w.logger });
    for (let i = 0; i < 3; i++) await log.append([msg(i)], 1); // 61 bytes each: the next one rolls
    // A real file-system failure, no mocks: the next segment's name is taken.
    fs.writeFileSync(path.join(dir, '00000000000000000003.log'), '');
    const failed = [log.append([msg(3)], 1), log.append([msg(4)], 1)];
    for (const p of failed) await expectCode(p, 'CORRUPT');
    await expectCode(log.append([msg(5)], 1), 'CORRUPT');
    expect(w.text()).toMatch(/EEXIST/);
    expect((await log.read(2)).message.toString()).toBe('message-2');
    await log.close();
    fs.rmSync(path.join(dir, '00000000000000000003.log'));
    log = await open(dir, { segmentBytes: 200 });
    expect(log.logEndOffset).toBe(3);
    expect((await log.append([msg(3)], 1)).baseOffset).toBe(3);
    await log.close();
  });

  it('fsync interval syncs in the background', async () => {
    const log = await open(dirs.make(), { fsync: 'interval', fsyncIntervalMs: 10 });
    await log.append([msg(0)], 1);
    expect(log.stats.fsyncs).toBe(0);
    for (let waited = 0; log.stats.fsyncs === 0 && waited < 2000; waited += 10) {
      await new Promise((r) => setTimeout(r, 10));
    }
    expect(log.stats.fsyncs).toBe(1);
    await log.close();
  });
});
