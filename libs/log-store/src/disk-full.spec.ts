/**
 * A full disk (ENOSPC, EDQUOT) refuses a batch without harm: nothing half-written stays visible,
 * nothing refused is acknowledged, the next append tries again, a reopen reads back exactly what
 * was acknowledged. A failed fsync stays fatal (fsyncgate). The disk is full-disk.ts's spies.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { FsyncFailed, isDiskFull, shortWriteError } from './disk-full';
import { encodeBatch } from './record-batch';
import { Segment } from './segment';
import { fullDisk, type FullDisk } from './test-support/full-disk';
import { expectAll, expectCode, open, warnings } from './test-support/log-fixtures';
import { msg, tempDirs } from './test-support/temp-dir';

const dirs = tempDirs();
let disk: FullDisk | undefined;
afterEach(() => {
  disk?.restore();
  disk = undefined;
  jest.restoreAllMocks();
  dirs.cleanup();
});

const text = (i: number) => `message-${i}`;
/** Bytes of the .log files (what survives a crash, beyond the page cache's say). */
function logBytes(dir: string): number {
  return fs
    .readdirSync(dir)
    .filter((name) => name.endsWith('.log'))
    .reduce((sum, name) => sum + fs.statSync(path.join(dir, name)).size, 0);
}

describe('isDiskFull', () => {
  it.each([
    ['ENOSPC', true],
    ['EDQUOT', true],
    ['EIO', false],
    ['EEXIST', false],
  ])('%s from a write is a full disk: %s', (code, expected) => {
    expect(isDiskFull(Object.assign(new Error(code), { code }))).toBe(expected);
  });

  it('a short write counts as a full disk', () => {
    expect(isDiskFull(shortWriteError('x.log', 3, 10))).toBe(true);
  });

  it('a failed fsync is never a full disk, whatever its errno', () => {
    const enospc = Object.assign(new Error('ENOSPC'), { code: 'ENOSPC' });
    expect(isDiskFull(new FsyncFailed(enospc))).toBe(false);
  });
});

describe('Log on a full disk', () => {
  it('a write cut short is cut back, refused with DISK_FULL, and the next append takes its offset', async () => {
    const dir = dirs.make();
    const log = await open(dir, { segmentBytes: 1 << 20 });
    for (let i = 0; i < 3; i++) await log.append([msg(i)], 1);
    const before = logBytes(dir);
    disk = fullDisk(20); // part of the next batch fits: the file grows, then the disk refuses
    const refused = await expectCode(log.append([msg(3), msg(4)], 1), 'DISK_FULL');
    expect(refused.message).toMatch(/is full .*not stored/);
    expect(log.logEndOffset).toBe(3);
    expect(log.writtenEndOffset).toBe(3);
    expect(logBytes(dir)).toBe(before); // the 20 bytes that got in are gone from the file too
    await expectCode(log.read(3), 'OFFSET_OUT_OF_RANGE');
    await expectCode(log.append([msg(3)], 1), 'DISK_FULL'); // still full: refused again
    expect(log.stats.diskFullRefusals).toBe(2);
    disk.room = Infinity;
    expect((await log.append([msg(3)], 1)).baseOffset).toBe(3);
    await expectAll(log, [0, 1, 2, 3].map(text));
    await log.close();
    disk.restore();
    const reopened = await open(dir, { segmentBytes: 1 << 20 });
    await expectAll(reopened, [0, 1, 2, 3].map(text));
    expect(reopened.recoveryCuts).toEqual([]);
    await reopened.close();
  });

  it('EDQUOT (quota used up) is refused the same way', async () => {
    const log = await open(dirs.make());
    disk = fullDisk(0, 'EDQUOT');
    const refused = await expectCode(log.append([msg(0)], 1), 'DISK_FULL');
    expect(refused.message).toMatch(/EDQUOT/);
    disk.room = Infinity;
    expect((await log.append([msg(0)], 1)).baseOffset).toBe(0);
    await log.close();
  });

  it('a whole group is refused together and nothing of it is acknowledged; what queues behind it is the next try', async () => {
    const dir = dirs.make();
    const log = await open(dir, { segmentBytes: 1 << 20 });
    await log.append([msg(0)], 1);
    disk = fullDisk(100); // the first batch of the group fits, the rest does not
    const group = [1, 2, 3, 4].map((i) => log.append([msg(i)], 1));
    const outcomes = await Promise.allSettled(group);
    expect(outcomes.every((o) => o.status === 'rejected')).toBe(true);
    expect(log.logEndOffset).toBe(1);
    disk.room = Infinity;
    const again = await Promise.all([1, 2].map((i) => log.append([msg(i)], 1)));
    expect(again.map((r) => r.baseOffset)).toEqual([1, 2]);
    await log.close();
    const reopened = await open(dir, { segmentBytes: 1 << 20 });
    await expectAll(reopened, [0, 1, 2].map(text));
    await reopened.close();
  });

  it('a refused index write while sealing leaves the full segment active; the next append rolls', async () => {
    const dir = dirs.make();
    const options = { segmentBytes: 200, indexIntervalBytes: 32 };
    const log = await open(dir, options);
    for (let i = 0; i < 3; i++) await log.append([msg(i)], 1); // the next one rolls
    disk = fullDisk(0); // sealing writes the (non-empty) index: refused
    await expectCode(log.append([msg(3)], 1), 'DISK_FULL');
    expect(log.segmentCount).toBe(1);
    expect(fs.readdirSync(dir).filter((n) => n.endsWith('.tmp'))).toEqual([]);
    disk.room = Infinity;
    expect((await log.append([msg(3)], 1)).baseOffset).toBe(3);
    expect(log.segmentCount).toBe(2);
    await log.close();
    const reopened = await open(dir, options);
    await expectAll(reopened, [0, 1, 2, 3].map(text));
    await reopened.close();
  });

  it('a write refused right after a roll leaves an empty active segment that the next append fills', async () => {
    const dir = dirs.make();
    const log = await open(dir, { segmentBytes: 200 });
    for (let i = 0; i < 3; i++) await log.append([msg(i)], 1);
    disk = fullDisk(0);
    await expectCode(log.append([msg(3)], 1), 'DISK_FULL');
    expect(log.segmentCount).toBe(2);
    expect(fs.statSync(path.join(dir, '00000000000000000003.log')).size).toBe(0);
    disk.room = Infinity;
    expect((await log.append([msg(3)], 1)).baseOffset).toBe(3);
    await log.close();
    const reopened = await open(dir, { segmentBytes: 200 });
    await expectAll(reopened, [0, 1, 2, 3].map(text));
    await reopened.close();
  });

  it('a refused create of the next segment removes what it made; the next append rolls', async () => {
    const dir = dirs.make();
    const log = await open(dir, { segmentBytes: 200 });
    for (let i = 0; i < 3; i++) await log.append([msg(i)], 1);
    const create = jest
      .spyOn(fs.promises, 'writeFile')
      .mockRejectedValueOnce(
        Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC' }),
      );
    await expectCode(log.append([msg(3)], 1), 'DISK_FULL');
    expect(create).toHaveBeenCalled();
    expect(fs.readdirSync(dir).filter((n) => n.startsWith('00000000000000000003'))).toEqual([]);
    expect((await log.append([msg(3)], 1)).baseOffset).toBe(3);
    await log.close();
    const reopened = await open(dir, { segmentBytes: 200 });
    await expectAll(reopened, [0, 1, 2, 3].map(text));
    await reopened.close();
  });

  it('a refused epoch-file write (first batch of a new epoch) forgets that epoch', async () => {
    const dir = dirs.make();
    const log = await open(dir);
    await log.append([msg(0)], 1);
    disk = fullDisk(0);
    await expectCode(log.append([msg(1)], 2), 'DISK_FULL');
    expect(log.latestEpoch).toBe(1);
    expect(log.endOffsetForEpoch(2).epoch).toBe(1);
    disk.room = Infinity;
    await log.append([msg(1)], 2);
    expect(log.endOffsetForEpoch(1)).toEqual({ epoch: 1, endOffset: 1 });
    await log.close();
    const reopened = await open(dir);
    expect(reopened.latestEpoch).toBe(2);
    await expectAll(reopened, [0, 1].map(text));
    await reopened.close();
  });

  it("a follower's batches are refused the same way and fetched again later", async () => {
    const dir = dirs.make();
    const log = await open(dir);
    const batch = (base: number, i: number) =>
      encodeBatch({
        baseOffset: base,
        epoch: 1,
        timestamp: 1,
        producerId: 0,
        sequence: 0,
        messages: [msg(i)],
      });
    await log.appendBatches(batch(0, 0));
    disk = fullDisk(10);
    await expectCode(log.appendBatches(Buffer.concat([batch(1, 1), batch(2, 2)])), 'DISK_FULL');
    expect(log.logEndOffset).toBe(1);
    disk.room = Infinity;
    expect(await log.appendBatches(Buffer.concat([batch(1, 1), batch(2, 2)]))).toBe(3);
    await expectAll(log, [0, 1, 2].map(text));
    await log.close();
  });

  it('a failed fsync is fatal (CORRUPT until reopened), even with ENOSPC: fsyncgate', async () => {
    const dir = dirs.make();
    const w = warnings();
    const log = await open(dir, { logger: w.logger });
    await log.append([msg(0)], 1);
    jest
      .spyOn(Segment.prototype, 'sync')
      .mockRejectedValueOnce(Object.assign(new Error('ENOSPC at writeback'), { code: 'ENOSPC' }));
    await expectCode(log.append([msg(1)], 1), 'CORRUPT');
    await expectCode(log.append([msg(2)], 1), 'CORRUPT');
    expect(w.text()).toMatch(/fsync failed/);
    expect((await log.read(0)).message.toString()).toBe(text(0));
    jest.restoreAllMocks();
    await log.close();
    const reopened = await open(dir);
    expect((await reopened.read(0)).message.toString()).toBe(text(0));
    expect((await reopened.append([msg(9)], 1)).baseOffset).toBe(reopened.logEndOffset - 1);
    await reopened.close();
  });

  it('a cut that fails too stops the log (CORRUPT): the tail is unknown', async () => {
    const log = await open(dirs.make());
    await log.append([msg(0)], 1);
    disk = fullDisk(5);
    jest
      .spyOn(Segment.prototype, 'cutFileTo')
      .mockRejectedValueOnce(Object.assign(new Error('EIO'), { code: 'EIO' }));
    await expectCode(log.append([msg(1)], 1), 'CORRUPT');
    disk.room = Infinity;
    await expectCode(log.append([msg(1)], 1), 'CORRUPT');
    await log.close();
  });
});

describe('Log.probeSpace', () => {
  it('answers by writing: false on a full disk, true with room, and leaves no file', async () => {
    const dir = dirs.make();
    const log = await open(dir);
    const open_ = jest.spyOn(fs.promises, 'open');
    expect(await log.probeSpace(4096)).toBe(true);
    expect(open_).toHaveBeenCalled();
    const handleWrite = jest
      .spyOn(fs.promises, 'open')
      .mockRejectedValueOnce(Object.assign(new Error('ENOSPC'), { code: 'ENOSPC' }));
    expect(await log.probeSpace(4096)).toBe(false);
    handleWrite.mockRestore();
    expect(fs.readdirSync(dir).filter((n) => n.includes('probe'))).toEqual([]);
    await log.close();
    await expectCode(log.probeSpace(1), 'CLOSED');
  });

  it('a leftover probe file from a crash is removed at open', async () => {
    const dir = dirs.make();
    await (await open(dir)).close();
    fs.writeFileSync(path.join(dir, 'space-probe.tmp'), 'x');
    const log = await open(dir);
    expect(fs.existsSync(path.join(dir, 'space-probe.tmp'))).toBe(false);
    await log.close();
  });
});
