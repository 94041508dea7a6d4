/** Idempotent producers (dedupe and stale sequences) and the follower path (appendBatches). */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { INCARNATION_FILE } from './incarnation-file';
import { Log } from './log';
import { decodeBatches } from './record-batch';
import { expectCode, fill, open } from './test-support/log-fixtures';
import { msg, tempDirs } from './test-support/temp-dir';

const dirs = tempDirs();
afterEach(() => dirs.cleanup());

describe('leaderAppend / followerAppend (through Log)', () => {
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
});
