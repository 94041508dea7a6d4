/** Recovery at open: a torn or corrupt tail is cut, a missing segment is CORRUPT, damaged indexes are rebuilt. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { decodeBatches } from './record-batch';
import {
  expectAll,
  expectCode,
  files,
  fill,
  flipByte,
  open,
  warnings,
} from './test-support/log-fixtures';
import { tempDirs } from './test-support/temp-dir';

const dirs = tempDirs();
afterEach(() => dirs.cleanup());

describe('loadLog (through Log.open)', () => {
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
});
