import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Log } from '@distilled/log-store';
import { IdempotencyKeyTable } from './idempotency-keys';
import { firstOffsetSince, scanKeys } from './key-table-scan';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

async function openLog(): Promise<Log> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'key-scan-'));
  dirs.push(dir);
  // Small segments: the scan crosses several of them.
  return Log.open({ dir, segmentBytes: 64 * 1024, fsync: 'never' });
}

const tag = (key: string) => ({ key, hash: Buffer.from(`h-${key}`) });

describe('key table scan', () => {
  afterEach(() => jest.useRealTimers());

  it('finds every keyed batch of the log, across segments, with its offsets', async () => {
    const log = await openLog();
    for (let i = 0; i < 500; i++) {
      await log.append([Buffer.alloc(200, i)], 1);
      if (i % 5 === 0) {
        await log.append([Buffer.from('x'), Buffer.from('y')], 1, undefined, {
          idempotency: tag(`key-${i}`),
        });
      }
    }
    const table = new IdempotencyKeyTable({ maxKeys: 1000, windowMs: 60_000 });
    const scan = await scanKeys(log, table, Date.now() - 60_000, log.logEndOffset);
    expect(scan).toMatchObject({ fromOffset: 0, toOffset: log.logEndOffset, keys: 100 });
    expect(table.size).toBe(100);
    // key-5 went in after message 5 and the 2-message batch of key-0: offset 5 + 1 + 2 = 8.
    expect(table.check(tag('key-5'), log.logEndOffset, Date.now())).toEqual({
      kind: 'replay',
      baseOffset: 8,
      count: 2,
    });
    await log.close();
  });

  it('finds each key of a batch shared by several keyed requests, at its own offsets', async () => {
    const log = await openLog();
    await log.append([Buffer.from('plain')], 1);
    await log.append(
      ['a', 'b', 'c', 'd'].map((m) => Buffer.from(m)),
      1,
      undefined,
      {
        keyedParts: [
          { tag: tag('one'), count: 1 },
          { tag: tag('three'), count: 3 },
        ],
      },
    );
    const table = new IdempotencyKeyTable({ maxKeys: 10, windowMs: 60_000 });
    const scan = await scanKeys(log, table, Date.now() - 60_000, log.logEndOffset);
    expect(scan).toMatchObject({ batches: 2, keys: 2 });
    const check = (key: string) => table.check(tag(key), log.logEndOffset, Date.now());
    expect(check('one')).toEqual({ kind: 'replay', baseOffset: 1, count: 1 });
    expect(check('three')).toEqual({ kind: 'replay', baseOffset: 2, count: 3 });
    await log.close();
  });

  it('starts at the first batch inside the window (binary search on timestamps)', async () => {
    const log = await openLog();
    jest.useFakeTimers({ now: 1_000_000, doNotFake: ['setImmediate', 'nextTick'] });
    for (let i = 0; i < 50; i++) {
      jest.setSystemTime(1_000_000 + i * 1000);
      await log.append([Buffer.from(`m${i}`)], 1, undefined, { idempotency: tag(`k${i}`) });
    }
    expect(await firstOffsetSince(log, 1_000_000 + 30_000, log.logEndOffset)).toBe(30);
    expect(await firstOffsetSince(log, 0, log.logEndOffset)).toBe(0);
    expect(await firstOffsetSince(log, 9_999_999, log.logEndOffset)).toBe(50);
    const table = new IdempotencyKeyTable({ maxKeys: 1000, windowMs: 1e9 });
    const scan = await scanKeys(log, table, 1_000_000 + 30_000, log.logEndOffset);
    expect(scan).toMatchObject({ fromOffset: 30, keys: 20 });
    await log.close();
  });

  it('reads nothing from an empty log', async () => {
    const log = await openLog();
    const table = new IdempotencyKeyTable({ maxKeys: 10, windowMs: 1000 });
    expect(await scanKeys(log, table, 0, 0)).toMatchObject({ batches: 0, keys: 0 });
    await log.close();
  });

  it('after retention deleted segments: scans from the log start, also when it moves during the scan', async () => {
    const log = await openLog();
    for (let i = 0; i < 400; i++) {
      await log.append([Buffer.alloc(500, i)], 1, undefined, { idempotency: tag(`k${i}`) });
    }
    await log.advanceStartTo(100);
    const table = new IdempotencyKeyTable({ maxKeys: 1000, windowMs: 60_000 });
    expect(await scanKeys(log, table, 0, log.logEndOffset)).toMatchObject({
      fromOffset: 100,
      keys: 300,
    });
    expect(table.check(tag('k99'), log.logEndOffset, Date.now())).toEqual({ kind: 'new' });
    expect(table.check(tag('k100'), log.logEndOffset, Date.now())).toMatchObject({
      kind: 'replay',
      baseOffset: 100,
    });
    // The start moves on after every read the scan makes: it never reads below it, never fails.
    const moving = Object.create(log) as Log;
    moving.readFrom = async (offset, maxBytes, options) => {
      const answer = await log.readFrom(offset, maxBytes, options);
      await log.advanceStartTo(Math.min(log.logStartOffset + 20, log.logEndOffset - 1));
      return answer;
    };
    const later = new IdempotencyKeyTable({ maxKeys: 1000, windowMs: 60_000 });
    const scan = await scanKeys(moving, later, 0, log.logEndOffset);
    expect(scan.toOffset).toBe(400);
    expect(later.size).toBeGreaterThan(0);
    await log.close();
  });
});
