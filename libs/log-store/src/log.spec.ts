/** The log as a whole through its LogStore surface: appends and reads, epochs, bad input and lifecycle. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { INCARNATION_FILE } from './incarnation-file';
import { Log } from './log';
import { decodeBatches, encodeBatch } from './record-batch';
import { expectAll, expectCode, files, fill, open, warnings } from './test-support/log-fixtures';
import { msg, tempDirs } from './test-support/temp-dir';

const dirs = tempDirs();
afterEach(() => dirs.cleanup());

describe('Log', () => {
  describe('append and read', () => {
    it('reads back every message across several segment rolls', async () => {
      const log = await open(dirs.make());
      const expected = await fill(log, 300);
      expect(log.segmentCount).toBeGreaterThan(5);
      await expectAll(log, expected);
      const r = await log.read(10);
      expect(r).toEqual({ offset: 10, message: Buffer.from('m10'), epoch: 1 });
      await log.close();
    });

    it('random-order reads across segments return the right message (sparse index + batch cache)', async () => {
      const log = await open(dirs.make(), { segmentBytes: 8192, indexIntervalBytes: 256 });
      const expected = await fill(log, 2000);
      let seed = 7;
      for (let i = 0; i < 3000; i++) {
        seed = (seed * 48271) % 2147483647;
        const offset = seed % expected.length;
        expect((await log.read(offset)).message.toString()).toBe(expected[offset]);
      }
      await log.close();
    });

    it('names segments by 20-digit base offset, so ls sorts them', async () => {
      const dir = dirs.make();
      const log = await open(dir);
      await fill(log, 200);
      await log.close();
      const logs = files(dir, '.log');
      expect(logs[0]).toBe('00000000000000000000.log');
      for (const f of logs) expect(f).toMatch(/^\d{20}\.log$/);
      expect(files(dir, '.index').length).toBe(logs.length);
    });

    it('an empty or missing directory becomes a new log', async () => {
      const dir = path.join(dirs.make(), 'a', 'b');
      const log = await open(dir);
      expect(log.logEndOffset).toBe(0);
      expect(log.latestEpoch).toBe(-1);
      expect(await log.readFrom(0, 100)).toEqual(Buffer.alloc(0));
      await log.close();
    });

    it('stores a 1 MiB message, bigger than a segment, in a segment of its own', async () => {
      const log = await open(dirs.make(), { segmentBytes: 64 * 1024 });
      const big = Buffer.alloc(1024 * 1024, 7);
      big.write('start');
      await log.append([msg(0)], 1);
      expect((await log.append([big], 1)).baseOffset).toBe(1);
      await log.append([msg(2)], 1);
      expect((await log.read(1)).message.equals(big)).toBe(true);
      expect((await log.read(2)).message.toString()).toBe('message-2');
      expect((await log.readFrom(1, 10)).length).toBe(big.length + 48 + 4);
      expect(log.segmentCount).toBe(3);
      await log.close();
    });

    it('readFrom returns whole batches from the one holding the offset, at least one', async () => {
      const log = await open(dirs.make(), { segmentBytes: 1 << 20 });
      await log.append([msg(0), msg(1), msg(2)], 1);
      await log.append([msg(3)], 1);
      await log.append([msg(4)], 2);
      const all = decodeBatches(await log.readFrom(1, 1 << 20));
      expect(all.map((b) => [b.header.baseOffset, b.header.count, b.header.epoch])).toEqual([
        [0, 3, 1],
        [3, 1, 1],
        [4, 1, 2],
      ]);
      expect(decodeBatches(await log.readFrom(2, 1)).length).toBe(1);
      expect(decodeBatches(await log.readFrom(3, 130)).map((b) => b.header.baseOffset)).toEqual([
        3, 4,
      ]);
      expect((await log.readFrom(5, 100)).length).toBe(0);
      await log.close();
    });

    it('persists across close and reopen, and keeps appending after', async () => {
      const dir = dirs.make();
      let log = await open(dir);
      const expected = await fill(log, 120);
      await log.close();
      log = await open(dir);
      await expectAll(log, expected);
      expect(log.latestEpoch).toBe(1);
      expect((await log.append([Buffer.from('after')], 2)).baseOffset).toBe(120);
      await log.close();
      log = await open(dir);
      expect((await log.read(120)).message.toString()).toBe('after');
      expect(log.endOffsetForEpoch(1)).toEqual({ epoch: 1, endOffset: 120 });
      await log.close();
    });

    it.each(['always', 'interval', 'never'] as const)(
      'fsync %s: data survives a close',
      async (fsync) => {
        const dir = dirs.make();
        let log = await open(dir, { fsync, fsyncIntervalMs: 5 });
        const expected = await fill(log, 50);
        await new Promise((r) => setTimeout(r, 20));
        await log.close();
        log = await open(dir, { fsync });
        await expectAll(log, expected);
        await log.close();
      },
    );

    it('keeps open segments bounded by maxOpenSegments', async () => {
      const dir = dirs.make();
      let log = await open(dir);
      const expected = await fill(log, 400);
      await log.close();
      const fdsBefore = fs.readdirSync('/proc/self/fd').length;
      log = await open(dir, { maxOpenSegments: 2 });
      await expectAll(log, expected);
      expect(fs.readdirSync('/proc/self/fd').length - fdsBefore).toBeLessThanOrEqual(3);
      await log.close();
    });
  });

  describe('epochs', () => {
    it('endOffsetForEpoch follows KIP-101', async () => {
      const log = await open(dirs.make());
      expect(log.endOffsetForEpoch(0)).toEqual({ epoch: -1, endOffset: -1 });
      await log.append([0, 1, 2, 3, 4].map(msg), 2); // 0..4
      await log.append([msg(5), msg(6)], 4); // 5..6
      await log.append([msg(7)], 7); // 7
      const table: [number, { epoch: number; endOffset: number }][] = [
        [1, { epoch: -1, endOffset: -1 }],
        [2, { epoch: 2, endOffset: 5 }],
        [3, { epoch: 2, endOffset: 5 }],
        [4, { epoch: 4, endOffset: 7 }],
        [6, { epoch: 4, endOffset: 7 }],
        [7, { epoch: 7, endOffset: 8 }],
        [100, { epoch: 7, endOffset: 8 }],
      ];
      for (const [epoch, expected] of table) expect(log.endOffsetForEpoch(epoch)).toEqual(expected);
      await log.close();
    });

    it('refuses an append with an epoch below the latest', async () => {
      const log = await open(dirs.make());
      await log.append([msg(0)], 5);
      await expectCode(log.append([msg(1)], 4), 'INVALID_ARGUMENT');
      expect((await log.append([msg(1)], 5)).baseOffset).toBe(1);
      await log.close();
    });

    it('drops an epoch the file names but whose data never landed (crash after the epoch write)', async () => {
      const dir = dirs.make();
      let log = await open(dir);
      await log.append([msg(0), msg(1)], 1);
      await log.close();
      fs.writeFileSync(path.join(dir, 'leader-epoch-checkpoint'), '0\n2\n1 0\n2 2\n');
      const w = warnings();
      log = await open(dir, { logger: w.logger });
      expect(log.latestEpoch).toBe(1);
      expect(w.text()).toMatch(/dropped epochs/);
      expect(fs.readFileSync(path.join(dir, 'leader-epoch-checkpoint'), 'utf8')).toBe(
        '0\n1\n1 0\n',
      );
      await log.close();
    });

    it('beginEpoch records a new epoch at the log end, so the first append of it leaves the file alone', async () => {
      const dir = dirs.make();
      const file = path.join(dir, 'leader-epoch-checkpoint');
      let log = await open(dir);
      await log.append([msg(0), msg(1)], 1);
      await log.beginEpoch(3);
      expect(fs.readFileSync(file, 'utf8')).toBe('0\n2\n1 0\n3 2\n');
      expect(log.latestEpoch).toBe(3);
      expect(log.endOffsetForEpoch(1)).toEqual({ epoch: 1, endOffset: 2 });
      const written = fs.statSync(file).ino;
      expect((await log.append([msg(2)], 3)).baseOffset).toBe(2);
      expect(fs.statSync(file).ino).toBe(written); // not replaced again
      await expectCode(log.append([msg(3)], 2), 'INVALID_ARGUMENT');
      // Known or older epochs change nothing.
      await log.beginEpoch(3);
      await log.beginEpoch(2);
      expect(fs.readFileSync(file, 'utf8')).toBe('0\n2\n1 0\n3 2\n');
      await log.close();
      log = await open(dir);
      expect(log.endOffsetForEpoch(3)).toEqual({ epoch: 3, endOffset: 3 });
      await log.close();
    });

    it('an epoch begun without data is dropped at reopen, and a later epoch follows it', async () => {
      const dir = dirs.make();
      let log = await open(dir);
      await log.append([msg(0)], 1);
      await log.beginEpoch(2); // a term that wrote nothing
      // It follows the next leader: epoch 3 from offset 1.
      const next = encodeBatch({
        baseOffset: 1,
        epoch: 3,
        timestamp: 1,
        producerId: 0,
        sequence: 0,
        messages: [msg(1)],
      });
      expect(await log.appendBatches(next)).toBe(2);
      expect(log.endOffsetForEpoch(2)).toEqual({ epoch: 2, endOffset: 1 });
      expect(log.endOffsetForEpoch(3)).toEqual({ epoch: 3, endOffset: 2 });
      await log.close();
      log = await open(dir);
      expect(log.endOffsetForEpoch(3)).toEqual({ epoch: 3, endOffset: 2 });
      await log.beginEpoch(4);
      await log.close();
      const w = warnings();
      log = await open(dir, { logger: w.logger });
      expect(log.latestEpoch).toBe(3);
      expect(w.text()).toMatch(/dropped epochs/);
      await log.close();
    });

    it('a damaged epoch file is rebuilt from the tail segment', async () => {
      const dir = dirs.make();
      let log = await open(dir, { segmentBytes: 1 << 20 });
      await log.append([msg(0)], 2);
      await log.append([msg(1)], 5);
      await log.close();
      fs.writeFileSync(path.join(dir, 'leader-epoch-checkpoint'), 'garbage');
      const w = warnings();
      log = await open(dir, { segmentBytes: 1 << 20, logger: w.logger });
      expect(w.text()).toMatch(/unreadable/);
      expect(log.endOffsetForEpoch(4)).toEqual({ epoch: 2, endOffset: 1 });
      expect(log.latestEpoch).toBe(5);
      await log.close();
    });

    it('rebuilds a lost epoch file from the tail segment', async () => {
      const dir = dirs.make();
      let log = await open(dir, { segmentBytes: 1 << 20 });
      await log.append([msg(0)], 1);
      await log.append([msg(1)], 3);
      await log.close();
      fs.rmSync(path.join(dir, 'leader-epoch-checkpoint'));
      log = await open(dir, { segmentBytes: 1 << 20 });
      expect(log.endOffsetForEpoch(1)).toEqual({ epoch: 1, endOffset: 1 });
      expect(log.latestEpoch).toBe(3);
      await log.close();
    });
  });

  describe('bad input and lifecycle', () => {
    it.each([-1, 1.5, NaN, Infinity, 2 ** 53, '3' as unknown as number])(
      'offset %p is INVALID_OFFSET',
      async (offset) => {
        const log = await open(dirs.make());
        await log.append([msg(0)], 1);
        await expectCode(log.read(offset), 'INVALID_OFFSET');
        await expectCode(log.readFrom(offset, 10), 'INVALID_OFFSET');
        await expectCode(log.truncateTo(offset), 'INVALID_OFFSET');
        await log.close();
      },
    );

    it('reading at or past the end is OFFSET_OUT_OF_RANGE and says where the log ends', async () => {
      const log = await open(dirs.make());
      await fill(log, 3);
      for (const offset of [3, 4, 1000]) {
        const err = await expectCode(log.read(offset), 'OFFSET_OUT_OF_RANGE');
        expect(err.details).toMatchObject({ offset, logEndOffset: 3 });
      }
      await expectCode(log.readFrom(4, 10), 'OFFSET_OUT_OF_RANGE');
      await log.close();
    });

    it.each([
      ['no messages', () => [[], 1]],
      ['a message that is not a Buffer', () => [['text'], 1]],
      ['a negative epoch', () => [[msg(0)], -1]],
      ['a fractional epoch', () => [[msg(0)], 1.5]],
    ] as [string, () => [Buffer[], number]][])(
      'append with %s is INVALID_ARGUMENT',
      async (_n, args) => {
        const log = await open(dirs.make());
        await expectCode(log.append(...args()), 'INVALID_ARGUMENT');
        await log.close();
      },
    );

    it('a batch over maxBatchBytes is INVALID_ARGUMENT', async () => {
      const log = await open(dirs.make(), { maxBatchBytes: 1000 });
      await expectCode(log.append([Buffer.alloc(1000)], 1), 'INVALID_ARGUMENT');
      await log.close();
    });

    it('every call after close fails with CLOSED, and close is idempotent', async () => {
      const log = await open(dirs.make());
      await log.append([msg(0)], 1);
      await log.close();
      await log.close();
      await expectCode(log.append([msg(1)], 1), 'CLOSED');
      await expectCode(log.appendBatches(Buffer.alloc(0)), 'CLOSED');
      await expectCode(log.read(0), 'CLOSED');
      await expectCode(log.readFrom(0, 10), 'CLOSED');
      await expectCode(log.truncateTo(0), 'CLOSED');
      await expectCode(() => log.endOffsetForEpoch(1), 'CLOSED');
    });

    it('close waits for queued appends to be written', async () => {
      const dir = dirs.make();
      let log = await open(dir);
      const pending = Array.from({ length: 20 }, (_, i) => log.append([msg(i)], 1));
      await log.close();
      await Promise.all(pending);
      log = await open(dir);
      expect(log.logEndOffset).toBe(20);
      await log.close();
    });

    it('a directory with files that are not segments is NOT_A_LOG (and is left untouched)', async () => {
      const dir = dirs.make();
      fs.writeFileSync(path.join(dir, '.bashrc'), 'export X=1');
      fs.mkdirSync(path.join(dir, 'Documents'));
      fs.writeFileSync(path.join(dir, '00000000000000000000.log'), '');
      const err = await expectCode(open(dir), 'NOT_A_LOG');
      expect(err.message).toMatch(/\.bashrc/);
      expect(fs.readdirSync(dir).sort()).toEqual([
        '.bashrc',
        '00000000000000000000.log',
        'Documents',
      ]);
    });

    it('a path that is a file is NOT_A_LOG', async () => {
      const file = path.join(dirs.make(), 'notes.txt');
      fs.writeFileSync(file, 'hello');
      await expectCode(open(file), 'NOT_A_LOG');
      expect(fs.readFileSync(file, 'utf8')).toBe('hello');
    });

    it('leftover temp files of our own are cleaned, not taken for strangers', async () => {
      const dir = dirs.make();
      let log = await open(dir);
      const n = (await fill(log, 5)).length;
      await log.close();
      fs.writeFileSync(path.join(dir, 'leader-epoch-checkpoint.tmp'), 'half');
      fs.writeFileSync(path.join(dir, 'high-watermark-checkpoint.tmp'), 'half');
      fs.writeFileSync(path.join(dir, 'incarnation.tmp'), 'half');
      fs.writeFileSync(path.join(dir, '00000000000000000000.index.tmp'), 'half');
      fs.writeFileSync(path.join(dir, '00000000000000000999.index'), 'orphan');
      log = await open(dir);
      expect(log.logEndOffset).toBe(n);
      expect(fs.readdirSync(dir).sort()).toEqual([
        '00000000000000000000.index',
        '00000000000000000000.log',
        INCARNATION_FILE,
        'leader-epoch-checkpoint',
      ]);
      await log.close();
    });

    it('keeps its incarnation across reopens; a wiped directory comes back as a new one', async () => {
      const dir = dirs.make();
      let log = await open(dir);
      const first = log.metadata.incarnation;
      expect(first.origin).toBe('new');
      await fill(log, 3);
      await log.close();
      log = await open(dir);
      expect(log.metadata.incarnation).toEqual({
        id: first.id,
        origin: 'existing',
        createdEmpty: true,
      });
      await log.close();
      fs.rmSync(path.join(dir, INCARNATION_FILE));
      log = await open(dir);
      // A log from before incarnations: same log, adopted under a new id.
      expect(log.metadata.incarnation).toMatchObject({ origin: 'adopted', createdEmpty: false });
      await log.close();
      fs.rmSync(dir, { recursive: true });
      log = await open(dir);
      expect(log.metadata.incarnation.origin).toBe('new');
      expect(log.metadata.incarnation.id).not.toBe(first.id);
      expect(log.logEndOffset).toBe(0);
      await log.close();
    });

    it.each([
      ['segmentBytes', { segmentBytes: 0 }],
      ['fsync', { fsync: 'sometimes' as 'always' }],
      ['dir', { dir: '' }],
    ])('bad option %s is INVALID_ARGUMENT', async (_name, extra) => {
      await expectCode(Log.open({ dir: dirs.make(), ...extra }), 'INVALID_ARGUMENT');
    });
  });
});
