import { setTimeout as sleep } from 'node:timers/promises';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as atomicFile from './atomic-file';
import { LogStoreError } from './errors';
import { HIGH_WATERMARK_FILE, HighWatermarkCheckpoint } from './high-watermark-checkpoint';
import { tempDirs } from './test-support/temp-dir';

function quiet() {
  const logger = { log: jest.fn(), warn: jest.fn() };
  return { logger, warnings: () => logger.warn.mock.calls.map((call) => String(call[0])) };
}

describe('HighWatermarkCheckpoint', () => {
  const dirs = tempDirs();
  afterEach(() => {
    jest.restoreAllMocks();
    dirs.cleanup();
  });

  const onDisk = (dir: string) => fs.readFileSync(path.join(dir, HIGH_WATERMARK_FILE), 'utf8');

  describe('load', () => {
    it('a missing file is 0 and creates nothing', () => {
      const dir = dirs.make();
      expect(HighWatermarkCheckpoint.load(dir, quiet().logger).value).toBe(0);
      expect(fs.readdirSync(dir)).toEqual([]);
    });

    it.each([
      ['random bytes', 'xyz'],
      ['an empty file', ''],
      ['an unknown version', '1\n5\n'],
      ['a negative value', '0\n-5\n'],
      ['a fraction', '0\n1.5\n'],
      ['a value past 2^53', '0\n99999999999999999999\n'],
      ['trailing junk', '0\n5\n6\n'],
    ])('%s is CORRUPT, naming the file and what to do', (_case, text) => {
      const dir = dirs.make();
      fs.writeFileSync(path.join(dir, HIGH_WATERMARK_FILE), text);
      let error: unknown;
      try {
        HighWatermarkCheckpoint.load(dir, quiet().logger);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(LogStoreError);
      expect((error as LogStoreError).code).toBe('CORRUPT');
      expect((error as LogStoreError).message).toContain(HIGH_WATERMARK_FILE);
      expect((error as LogStoreError).message).toMatch(/Delete the file to start anyway/);
    });
  });

  it('writes lazily, keeps the highest value, and reads it back after close', async () => {
    const dir = dirs.make();
    const checkpoint = HighWatermarkCheckpoint.load(dir, quiet().logger, 30);
    checkpoint.record(10);
    checkpoint.record(7); // lower: ignored
    expect(checkpoint.value).toBe(10);
    expect(fs.existsSync(path.join(dir, HIGH_WATERMARK_FILE))).toBe(false); // not yet
    for (let waited = 0; waited < 2_000 && !fs.existsSync(path.join(dir, HIGH_WATERMARK_FILE));) {
      await sleep(10);
      waited += 10;
    }
    expect(onDisk(dir)).toBe('0\n10\n');
    checkpoint.record(12);
    await checkpoint.close();
    expect(onDisk(dir)).toBe('0\n12\n');
    checkpoint.record(99); // after close: ignored
    expect(HighWatermarkCheckpoint.load(dir, quiet().logger).value).toBe(12);
    expect(fs.readdirSync(dir)).toEqual([HIGH_WATERMARK_FILE]);
  });

  it('coalesces: a burst of updates costs about one write per interval', async () => {
    const writes = jest.spyOn(atomicFile, 'writeFileAtomic');
    const dir = dirs.make();
    const checkpoint = HighWatermarkCheckpoint.load(dir, quiet().logger, 100);
    const started = Date.now();
    let hw = 0;
    while (Date.now() - started < 350) {
      checkpoint.record(++hw);
      await sleep(1);
    }
    await checkpoint.close();
    // ~350 ms at 100 ms per write (+ the final one at close); a write per update would be hundreds.
    expect(writes.mock.calls.length).toBeGreaterThanOrEqual(2);
    expect(writes.mock.calls.length).toBeLessThanOrEqual(5);
    expect(onDisk(dir)).toBe(`0\n${hw}\n`);
  });

  it('a failed write is logged once and retried until it succeeds', async () => {
    const dir = dirs.make();
    const { logger, warnings } = quiet();
    const checkpoint = HighWatermarkCheckpoint.load(dir, logger, 10);
    fs.mkdirSync(path.join(dir, HIGH_WATERMARK_FILE + '.tmp')); // the temp name is taken
    checkpoint.record(5);
    await sleep(100);
    expect(warnings()).toHaveLength(1);
    expect(warnings()[0]).toMatch(/could not write .*high-watermark-checkpoint \(will retry\)/);
    fs.rmdirSync(path.join(dir, HIGH_WATERMARK_FILE + '.tmp'));
    for (let waited = 0; waited < 2_000 && !fs.existsSync(path.join(dir, HIGH_WATERMARK_FILE));) {
      await sleep(10);
      waited += 10;
    }
    expect(onDisk(dir)).toBe('0\n5\n');
    await checkpoint.close();
  });
});
