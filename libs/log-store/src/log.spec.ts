import * as fs from 'node:fs';
import * as path from 'node:path';
import { corruptBatchOf, LogStoreError } from './errors';
import { INCARNATION_FILE } from './incarnation-file';
import { Log, LogOptions } from './log';
import { decodeBatches } from './record-batch';
import { msg, tempDirs } from './test-support/temp-dir';

const dirs = tempDirs();
afterEach(() => dirs.cleanup());

interface Warnings {
  logger: { log: jest.Mock; warn: jest.Mock };
  text(): string;
}
function warnings(): Warnings {
  const logger = { log: jest.fn(), warn: jest.fn() };
  return { logger, text: () => logger.warn.mock.calls.map((c) => String(c[0])).join('\n') };
}

async function open(dir: string, extra: Partial<LogOptions> = {}): Promise<Log> {
  return Log.open({ dir, segmentBytes: 1024, ...extra });
}

/** Appends `n` single-message batches (plus a few multi-message ones) and returns the messages by offset. */
async function fill(log: Log, n: number, epoch = 1): Promise<string[]> {
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

async function expectAll(log: Log, expected: string[]): Promise<void> {
  expect(log.logEndOffset).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    expect((await log.read(i)).message.toString()).toBe(expected[i]);
  }
}

async function expectCode(
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

function files(dir: string, suffix: string): string[] {
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith(suffix))
    .sort();
}

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

  describe('recovery of a torn or corrupt tail', () => {
    const cases: [string, (file: string, lastBatchStart: number) => void, number][] = [
      [
        'a half-written last batch is cut, every earlier batch kept',
        (f) => fs.truncateSync(f, fs.statSync(f).size - 5),
        1,
      ],
      [
        'a flipped byte in the last batch is cut back to the batch before',
        (f) => flipByte(f, fs.statSync(f).size - 2),
        1,
      ],
      [
        'a flipped byte in a middle batch cuts from that batch on',
        (f, last) => flipByte(f, last - 3),
        2,
      ],
      [
        'zeros after the last batch (file extended, data never landed) are cut',
        (f) => fs.appendFileSync(f, Buffer.alloc(3000)),
        0,
      ],
      [
        'a header cut inside its first 12 bytes is cut',
        (f) => fs.appendFileSync(f, Buffer.from([0, 0, 0, 0, 0, 0])),
        0,
      ],
    ];
    it.each(cases)('%s', async (_name, damage, lost) => {
      const dir = dirs.make();
      let log = await open(dir, { segmentBytes: 1 << 20 });
      const expected = await fill(log, 30);
      // The last two batches are single-message ones; find where the last batch starts.
      const tail = path.join(dir, files(dir, '.log').at(-1)!);
      const batches = decodeBatches(fs.readFileSync(tail));
      const lastStart = fs.statSync(tail).size - batches.at(-1)!.header.size;
      await log.close();
      damage(tail, lastStart);
      const w = warnings();
      log = await open(dir, { segmentBytes: 1 << 20, logger: w.logger });
      await expectAll(log, expected.slice(0, expected.length - lost));
      expect(w.text()).toMatch(/cut \d+ bytes of torn or corrupt tail/);
      expect((await log.append([Buffer.from('again')], 1)).baseOffset).toBe(expected.length - lost);
      await log.close();
      log = await open(dir, { segmentBytes: 1 << 20 });
      expect((await log.read(expected.length - lost)).message.toString()).toBe('again');
      await log.close();
    });

    it('a torn tail in the last of several segments keeps the earlier segments whole', async () => {
      const dir = dirs.make();
      let log = await open(dir);
      const expected = await fill(log, 200);
      await log.close();
      const tail = path.join(dir, files(dir, '.log').at(-1)!);
      const tailBase = Number(path.basename(tail, '.log'));
      fs.truncateSync(tail, 10);
      log = await open(dir);
      await expectAll(log, expected.slice(0, tailBase));
      await log.close();
    });

    it('a crash between the log and index writes: the active index is rebuilt from the log', async () => {
      const dir = dirs.make();
      let log = await open(dir, { segmentBytes: 1 << 20, indexIntervalBytes: 64 });
      const expected = await fill(log, 200);
      await log.close();
      const index = path.join(dir, files(dir, '.index').at(-1)!);
      const good = fs.readFileSync(index);
      fs.writeFileSync(index, good.subarray(0, 16)); // index lags the log
      log = await open(dir, { segmentBytes: 1 << 20, indexIntervalBytes: 64 });
      expect(fs.readFileSync(index).equals(good)).toBe(true);
      await expectAll(log, expected);
      await log.close();
    });
  });

  it('a missing segment before the tail is CORRUPT, not silently skipped', async () => {
    const dir = dirs.make();
    const log = await open(dir);
    await fill(log, 200);
    await log.close();
    fs.rmSync(path.join(dir, files(dir, '.log').at(-2)!));
    await expectCode(open(dir), 'CORRUPT');
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

  describe('damaged indexes of sealed segments', () => {
    const cases: [string, (file: string) => void][] = [
      ['a deleted index is rebuilt', (f) => fs.rmSync(f)],
      ['an index of odd length is rebuilt', (f) => fs.appendFileSync(f, Buffer.from([1, 2, 3]))],
      [
        'an index of random bytes is rebuilt',
        (f) => fs.writeFileSync(f, Buffer.from('0123456789abcdef')),
      ],
      [
        'an index whose last entry points at the wrong batch is rebuilt',
        (f) => {
          const b = fs.readFileSync(f);
          b.writeUInt32BE(b.readUInt32BE(b.length - 8) + 1, b.length - 8);
          fs.writeFileSync(f, b);
        },
      ],
      ['an emptied index is rebuilt', (f) => fs.writeFileSync(f, Buffer.alloc(0))],
    ];
    it.each(cases)('%s', async (_name, damage) => {
      const dir = dirs.make();
      const opts = { segmentBytes: 4096, indexIntervalBytes: 256 };
      let log = await open(dir, opts);
      const expected = await fill(log, 400);
      await log.close();
      const first = path.join(dir, files(dir, '.index')[0]);
      const good = fs.readFileSync(first);
      expect(good.length).toBeGreaterThan(0);
      damage(first);
      const w = warnings();
      log = await open(dir, { ...opts, logger: w.logger });
      await expectAll(log, expected);
      expect(fs.readFileSync(first).equals(good)).toBe(true);
      if (_name !== 'an emptied index is rebuilt') expect(w.text()).toMatch(/rebuilt/);
      await log.close();
    });
  });

  describe('truncateTo', () => {
    it.each([
      ['inside the active segment', 195],
      ['inside an earlier segment, deleting later segments', 40],
      ['at a segment boundary', -1],
      ['to zero', 0],
    ])('%s, then appending again', async (_name, at) => {
      const dir = dirs.make();
      let log = await open(dir);
      const expected = await fill(log, 200);
      const segmentsBefore = log.segmentCount;
      const near = at >= 0 ? at : Number(path.basename(files(dir, '.log')[2], '.log'));
      // Cut at a batch start so the log ends exactly at `cut`.
      const cut = near === 0 ? 0 : decodeBatches(await log.readFrom(near, 1))[0].header.baseOffset;
      await log.truncateTo(cut);
      expect(log.logEndOffset).toBe(cut);
      await expectCode(log.read(cut), 'OFFSET_OUT_OF_RANGE');
      if (at !== 195) expect(log.segmentCount).toBeLessThan(segmentsBefore);
      const again = await fill(log, 0);
      expect(again).toEqual([]);
      expect((await log.append([Buffer.from('new')], 2)).baseOffset).toBe(cut);
      await log.close();
      log = await open(dir);
      await expectAll(log, [...expected.slice(0, cut), 'new']);
      expect(files(dir, '.log').length).toBe(log.segmentCount);
      expect(files(dir, '.index').length).toBe(log.segmentCount);
      await log.close();
    });

    it('runs after appends queued before it: they are written, then cut', async () => {
      const dir = dirs.make();
      let log = await open(dir);
      await fill(log, 10);
      const queued = Array.from({ length: 20 }, (_, i) => log.append([msg(i)], 1));
      await log.truncateTo(6);
      const results = await Promise.all(queued);
      expect(results.map((r) => r.baseOffset)).toEqual(
        Array.from({ length: 20 }, (_, i) => 10 + i),
      );
      expect(log.logEndOffset).toBe(6);
      expect((await log.append([msg('next')], 1)).baseOffset).toBe(6);
      await log.close();
      log = await open(dir);
      expect(log.logEndOffset).toBe(7);
      await log.close();
    });

    it('an offset inside a batch cuts the whole batch (the log ends at its start)', async () => {
      const log = await open(dirs.make());
      await log.append([msg(0)], 1);
      await log.append([msg(1), msg(2), msg(3)], 1);
      await log.truncateTo(2);
      expect(log.logEndOffset).toBe(1);
      await log.close();
    });

    it('past the log end changes nothing', async () => {
      const log = await open(dirs.make());
      await fill(log, 10);
      await log.truncateTo(10);
      await log.truncateTo(500);
      expect(log.logEndOffset).toBe(10);
      await log.close();
    });

    it('cuts the epoch file with the log', async () => {
      const dir = dirs.make();
      let log = await open(dir);
      await fill(log, 30, 1);
      await log.append([msg('e3')], 3); // offset 30
      await log.append([msg('e5')], 5); // offset 31
      expect(log.latestEpoch).toBe(5);
      await log.truncateTo(31);
      expect(log.latestEpoch).toBe(3);
      expect(log.endOffsetForEpoch(5)).toEqual({ epoch: 3, endOffset: 31 });
      await log.truncateTo(30);
      expect(log.latestEpoch).toBe(1);
      await log.close();
      log = await open(dir);
      expect(log.latestEpoch).toBe(1);
      expect(log.endOffsetForEpoch(3)).toEqual({ epoch: 1, endOffset: 30 });
      // A lower epoch than one that was cut is fine again.
      expect((await log.append([msg('e2')], 2)).baseOffset).toBe(30);
      await log.close();
    });

    it('forgets producer batches that were cut', async () => {
      const log = await open(dirs.make());
      await log.append([msg(0)], 1, { producerId: 9, sequence: 0 });
      await log.append([msg(1)], 1, { producerId: 9, sequence: 1 });
      await log.truncateTo(1);
      const r = await log.append([msg('1b')], 1, { producerId: 9, sequence: 1 });
      expect(r).toEqual({ baseOffset: 1, count: 1, duplicate: false });
      await log.close();
    });
  });

  describe('damage found by reads (below the recovery point)', () => {
    /** A log of 400 messages over several 1 KiB segments; a batch in the middle of the second. */
    async function damagedLog() {
      const dir = dirs.make();
      const log = await open(dir);
      const expected = await fill(log, 400);
      const [, second, third] = files(dir, '.log').map((name) =>
        Number(path.basename(name, '.log')),
      );
      const offset = Math.floor((second + third) / 2);
      const batch = decodeBatches(await log.readFrom(offset, 1))[0].header;
      expect(batch.baseOffset).toBeGreaterThan(second); // sealed, and not its first batch
      const file = path.join(dir, files(dir, '.log')[1]);
      // Where the batch sits in its file: walk the file's batches.
      let position = 0;
      for (const b of decodeBatches(fs.readFileSync(file))) {
        if (b.header.baseOffset === batch.baseOffset) break;
        position += b.header.size;
      }
      return { dir, log, expected, batch, file, position };
    }

    it('a flipped record byte in a sealed segment: read is CORRUPT naming the batch; cutting there and fetching again repairs it', async () => {
      const { dir, log, expected, batch, file, position } = await damagedLog();
      flipByte(file, position + 50); // inside the first record: the CRC fails, framing holds
      const error = await expectCode(log.read(batch.baseOffset), 'CORRUPT');
      expect(corruptBatchOf(error)).toEqual({
        file,
        baseOffset: batch.baseOffset,
        position,
      });
      expect(error.message).toMatch(/CRC-32C/);
      // The leader's replication reads find it too, before shipping a byte of it.
      const shipped = await expectCode(log.readFrom(batch.baseOffset, 1 << 20), 'CORRUPT');
      expect(corruptBatchOf(shipped)?.baseOffset).toBe(batch.baseOffset);
      // A readFrom that starts before it stops short of it.
      const before = decodeBatches(await log.readFrom(batch.baseOffset - 1, 1 << 20));
      expect(before.at(-1)!.header.baseOffset + before.at(-1)!.header.count).toBe(batch.baseOffset);

      await log.truncateTo(batch.baseOffset);
      expect(log.logEndOffset).toBe(batch.baseOffset);
      // "Re-fetch": copy the rest from an intact log, as a follower would.
      const intactDir = dirs.make();
      const intact = await open(intactDir);
      await fill(intact, 400);
      while (log.logEndOffset < intact.logEndOffset) {
        await log.appendBatches(await intact.readFrom(log.logEndOffset, 4096));
      }
      await expectAll(log, expected);
      await intact.close();
      await log.close();
      const reopened = await open(dir);
      await expectAll(reopened, expected);
      await reopened.close();
    });

    it('broken framing in a sealed segment: read is CORRUPT at the batch boundary, and truncateTo cuts there', async () => {
      const { log, batch, file, position } = await damagedLog();
      // The length field: the walk can no longer step over this batch.
      const b = fs.readFileSync(file);
      b.writeInt32BE(7, position + 8);
      fs.writeFileSync(file, b);
      const error = await expectCode(log.read(batch.baseOffset + batch.count), 'CORRUPT');
      expect(corruptBatchOf(error)).toMatchObject({ baseOffset: batch.baseOffset, position });
      await log.truncateTo(batch.baseOffset);
      expect(log.logEndOffset).toBe(batch.baseOffset);
      expect((await log.append([msg('after')], 1)).baseOffset).toBe(batch.baseOffset);
      await log.close();
    });

    it('a changed base offset (outside the CRC) is caught by the offset walk', async () => {
      const { log, batch, file, position } = await damagedLog();
      const b = fs.readFileSync(file);
      b.writeUInt32BE(b.readUInt32BE(position + 4) + 1, position + 4);
      fs.writeFileSync(file, b);
      const error = await expectCode(log.read(batch.baseOffset), 'CORRUPT');
      expect(corruptBatchOf(error)).toMatchObject({ baseOffset: batch.baseOffset, position });
      await log.close();
    });

    it('a failed write is CORRUPT about the whole log, naming no batch', async () => {
      const dir = dirs.make();
      const log = await open(dir, { segmentBytes: 200 });
      for (let i = 0; i < 3; i++) await log.append([msg(i)], 1);
      fs.writeFileSync(path.join(dir, '00000000000000000003.log'), '');
      const error = await expectCode(log.append([msg(3)], 1), 'CORRUPT');
      expect(corruptBatchOf(error)).toBeNull();
      await log.close();
    });
  });

  describe('high-watermark checkpoint', () => {
    it('is 0 for a new log, kept across a reopen, and never lowered by a truncation', async () => {
      const dir = dirs.make();
      let log = await open(dir, { highWatermarkCheckpointMs: 10 });
      expect(log.metadata.highWatermarkCheckpoint).toBe(0);
      await fill(log, 50);
      log.metadata.checkpointHighWatermark(40);
      log.metadata.checkpointHighWatermark(30);
      expect(log.metadata.highWatermarkCheckpoint).toBe(40);
      await log.truncateTo(20);
      expect(log.metadata.highWatermarkCheckpoint).toBe(40);
      await log.close();
      log = await open(dir);
      expect(log.metadata.highWatermarkCheckpoint).toBe(40);
      expect(log.logEndOffset).toBe(20); // what a replica sees as "lost committed messages"
      await log.close();
    });

    it('recovery that cuts a corrupt tail says what it cut; the checkpoint stays above it', async () => {
      const dir = dirs.make();
      let log = await open(dir, { segmentBytes: 1 << 20 });
      await fill(log, 30);
      log.metadata.checkpointHighWatermark(30);
      await log.close();
      expect(log.recoveryCuts).toEqual([]);
      const file = path.join(dir, files(dir, '.log')[0]);
      flipByte(file, Math.floor(fs.statSync(file).size / 2));
      log = await open(dir, { segmentBytes: 1 << 20 });
      expect(log.logEndOffset).toBeLessThan(30);
      expect(log.metadata.highWatermarkCheckpoint).toBe(30);
      expect(log.recoveryCuts).toEqual([
        {
          file,
          position: expect.any(Number),
          bytes: expect.any(Number),
          endOffset: log.logEndOffset,
          reason: expect.stringMatching(/checksum|framing|offset/),
        },
      ]);
      await log.close();
    });

    it('an unreadable checkpoint stops open with CORRUPT', async () => {
      const dir = dirs.make();
      const log = await open(dir);
      await log.close();
      fs.writeFileSync(path.join(dir, 'high-watermark-checkpoint'), 'garbage');
      const error = await expectCode(open(dir), 'CORRUPT');
      expect(error.message).toMatch(/high-watermark-checkpoint/);
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

  describe('idempotent producer', () => {
    const p = (sequence: number) => ({ producerId: 77, sequence });

    it('a retried batch gets its original offsets and is not stored twice', async () => {
      const log = await open(dirs.make());
      const a = await log.append([msg('a'), msg('b')], 1, p(0));
      await log.append([msg('x')], 1);
      const again = await log.append([msg('a'), msg('b')], 1, p(0));
      expect(a).toEqual({ baseOffset: 0, count: 2, duplicate: false });
      expect(again).toEqual({ baseOffset: 0, count: 2, duplicate: true });
      expect(log.logEndOffset).toBe(3);
      await log.close();
    });

    it('a retry that arrives while the original is still queued waits for it', async () => {
      const log = await open(dirs.make());
      const [first, second] = await Promise.all([
        log.append([msg('a')], 1, p(0)),
        log.append([msg('a')], 1, p(0)),
      ]);
      expect(first).toEqual({ baseOffset: 0, count: 1, duplicate: false });
      expect(second).toEqual({ baseOffset: 0, count: 1, duplicate: true });
      expect(log.logEndOffset).toBe(1);
      await log.close();
    });

    it('remembers after a reopen', async () => {
      const dir = dirs.make();
      let log = await open(dir);
      await fill(log, 100);
      await log.append([msg('p')], 1, p(5));
      await fill(log, 0);
      await log.close();
      log = await open(dir);
      expect(await log.append([msg('p')], 1, p(5))).toEqual({
        baseOffset: 100,
        count: 1,
        duplicate: true,
      });
      expect(log.logEndOffset).toBe(101);
      await log.close();
    });

    it('allows gaps and late batches within the window, and refuses older ones with STALE_SEQUENCE', async () => {
      const log = await open(dirs.make());
      for (const s of [0, 1, 2, 3, 4, 5, 6, 10]) await log.append([msg(s)], 1, p(s));
      expect((await log.append([msg(6)], 1, p(6))).duplicate).toBe(true);
      const err = await expectCode(log.append([msg(1)], 1, p(1)), 'STALE_SEQUENCE');
      expect(err.details).toMatchObject({ producerId: 77, sequence: 1, lastSequence: 10 });
      // 8 lies within the window below 10 and was never stored: a batch that was in flight
      // alongside 10 and arrives late is appended, once.
      expect((await log.append([msg(8)], 1, p(8))).duplicate).toBe(false);
      expect((await log.append([msg(8)], 1, p(8))).duplicate).toBe(true);
      await expectCode(log.append([msg(5)], 1, p(5)), 'STALE_SEQUENCE');
      expect(log.logEndOffset).toBe(9);
      await log.close();
    });

    it('producers are independent; producerId 0 means none', async () => {
      const log = await open(dirs.make());
      await log.append([msg(0)], 1, { producerId: 1, sequence: 0 });
      expect((await log.append([msg(0)], 1, { producerId: 2, sequence: 0 })).duplicate).toBe(false);
      expect((await log.append([msg(0)], 1, { producerId: 0, sequence: 0 })).duplicate).toBe(false);
      expect((await log.append([msg(0)], 1, { producerId: 0, sequence: 0 })).duplicate).toBe(false);
      expect(log.logEndOffset).toBe(4);
      await log.close();
    });

    it('a refused batch is forgotten, so its retry is appended', async () => {
      const log = await open(dirs.make());
      await log.append([msg(0)], 3);
      await expectCode(log.append([msg(1)], 2, p(0)), 'INVALID_ARGUMENT');
      expect((await log.append([msg(1)], 3, p(0))).duplicate).toBe(false);
      await log.close();
    });
  });

  describe('appendBatches (follower path)', () => {
    async function leaderLog(): Promise<{ leader: Log; dir: string }> {
      const dir = dirs.make();
      const leader = await open(dir);
      await fill(leader, 120, 1);
      await leader.append([msg('p')], 2, { producerId: 5, sequence: 3 });
      await fill(leader, 0);
      await leader.append([msg('q'), msg('r')], 4);
      return { leader, dir };
    }

    it('copying readFrom bytes into a second log gives an identical log', async () => {
      const { leader, dir } = await leaderLog();
      const followerDir = dirs.make();
      const follower = await open(followerDir);
      while (follower.logEndOffset < leader.logEndOffset) {
        const bytes = await leader.readFrom(follower.logEndOffset, 300);
        expect(await follower.appendBatches(bytes)).toBe(follower.logEndOffset);
      }
      await leader.close();
      await follower.close();
      const leaderFiles = fs.readdirSync(dir).sort();
      expect(fs.readdirSync(followerDir).sort()).toEqual(leaderFiles);
      // Every file but the incarnation, which is each directory's own.
      for (const f of leaderFiles.filter((name) => name !== INCARNATION_FILE)) {
        expect(
          fs.readFileSync(path.join(followerDir, f)).equals(fs.readFileSync(path.join(dir, f))),
        ).toBe(true);
      }
      const reopened = await open(followerDir);
      expect(reopened.latestEpoch).toBe(4);
      expect(reopened.endOffsetForEpoch(2)).toEqual({ epoch: 2, endOffset: 121 });
      expect((await reopened.append([msg('p')], 4, { producerId: 5, sequence: 3 })).duplicate).toBe(
        true,
      );
      await reopened.close();
    });

    it('accepts pipelined calls without waiting for each', async () => {
      const { leader } = await leaderLog();
      const follower = await open(dirs.make());
      const a = await leader.readFrom(0, 200);
      const next = decodeBatches(a).reduce((n, b) => n + b.header.count, 0);
      const b = await leader.readFrom(next, 200);
      const ends = await Promise.all([follower.appendBatches(a), follower.appendBatches(b)]);
      expect(ends[1]).toBe(follower.logEndOffset);
      expect((await follower.read(next)).message.toString()).toBe(`m${next}`);
      await leader.close();
      await follower.close();
    });

    it.each([
      ['bytes that do not start at the log end are NON_CONTIGUOUS', 'skip', 'NON_CONTIGUOUS'],
      ['a flipped byte is INVALID_BATCH', 'flip', 'INVALID_BATCH'],
      ['a cut batch is INVALID_BATCH', 'cut', 'INVALID_BATCH'],
    ])('%s', async (_name, how, code) => {
      const { leader } = await leaderLog();
      const follower = await open(dirs.make());
      await follower.appendBatches(await leader.readFrom(0, 100));
      const end = follower.logEndOffset;
      let bytes = await leader.readFrom(how === 'skip' ? end + 2 : end, 500);
      if (how === 'flip') bytes[bytes.length - 1] ^= 1;
      if (how === 'cut') bytes = bytes.subarray(0, bytes.length - 1);
      await expectCode(follower.appendBatches(bytes), code);
      expect(follower.logEndOffset).toBe(end);
      await leader.close();
      await follower.close();
    });

    it('refuses batches whose epoch is older than the log latest', async () => {
      const { leader } = await leaderLog();
      const follower = await open(dirs.make());
      await follower.append([msg(0)], 9);
      await expectCode(follower.appendBatches(await leader.readFrom(1, 100)), 'INVALID_BATCH');
      await follower.truncateTo(0);
      const bytes = await leader.readFrom(0, 100);
      expect(follower.latestEpoch).toBe(-1);
      await follower.appendBatches(bytes);
      await leader.close();
      await follower.close();
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

function flipByte(file: string, at: number): void {
  const b = fs.readFileSync(file);
  b[at] ^= 0xff;
  fs.writeFileSync(file, b);
}
