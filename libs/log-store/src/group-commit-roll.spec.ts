/**
 * Rolling inside one write (GroupCommitWriter.write): a follower's appendBatches carries a whole
 * fetch response, many batches; the segment rolls between any two of them, so no segment holds
 * more than segmentBytes (unless one batch alone is larger) and a replica's disk stays within
 * its retention limit plus one segment. Also what a crash in the middle of such a write leaves.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Log } from './log';
import { readBatchHeader } from './record-batch';
import { retentionStart } from './retention-policy';
import { Segment } from './segment';
import { expectAll, files, open } from './test-support/log-fixtures';
import { tempDirs } from './test-support/temp-dir';

const dirs = tempDirs();
afterEach(() => {
  jest.restoreAllMocks();
  dirs.cleanup();
});

const SEGMENT_BYTES = 2048;

/** A leader log (one big segment) of `n` batches of 1-3 messages of varied length. */
async function leaderLog(n: number, bigAt = -1): Promise<{ leader: Log; expected: string[] }> {
  const leader = await open(dirs.make(), { segmentBytes: 1 << 20 });
  const expected: string[] = [];
  for (let i = 0; i < n; i++) {
    const k = (i % 3) + 1;
    const batch = Array.from({ length: k }, (_, j) =>
      i === bigAt && j === 0
        ? 'B'.repeat(3 * SEGMENT_BYTES)
        : `m${expected.length + j}-${'x'.repeat(i % 50)}`,
    );
    await leader.append(
      batch.map((s) => Buffer.from(s)),
      1,
    );
    expected.push(...batch);
  }
  return { leader, expected };
}

function logSizes(dir: string): Array<{ base: number; bytes: number }> {
  return files(dir, '.log').map((name) => ({
    base: Number(path.basename(name, '.log')),
    bytes: fs.statSync(path.join(dir, name)).size,
  }));
}

describe('GroupCommitWriter: rolling inside one write', () => {
  it('a fetch response many segments long is split at batch boundaries, no segment over the size', async () => {
    const { leader, expected } = await leaderLog(300);
    const dir = dirs.make();
    const follower = await open(dir, { segmentBytes: SEGMENT_BYTES });
    const response = await leader.readFrom(0, 1 << 20);
    expect(response.length).toBeGreaterThan(8 * SEGMENT_BYTES);
    expect(await follower.appendBatches(response)).toBe(expected.length);
    const sizes = logSizes(dir);
    expect(sizes.length).toBeGreaterThan(8);
    for (const { bytes } of sizes) expect(bytes).toBeLessThanOrEqual(SEGMENT_BYTES);
    // Every segment but the last is nearly full: it rolled only when the next batch did not fit.
    for (const { bytes } of sizes.slice(0, -1)) expect(bytes).toBeGreaterThan(SEGMENT_BYTES / 2);
    await expectAll(follower, expected);
    await follower.close();
    const reopened = await open(dir, { segmentBytes: SEGMENT_BYTES });
    await expectAll(reopened, expected);
    await Promise.all([reopened.close(), leader.close()]);
  });

  it('a batch larger than a segment gets a segment of its own', async () => {
    const { leader, expected } = await leaderLog(40, 20);
    const dir = dirs.make();
    const follower = await open(dir, { segmentBytes: SEGMENT_BYTES });
    await follower.appendBatches(await leader.readFrom(0, 1 << 20));
    const sizes = logSizes(dir);
    const over = sizes.filter((s) => s.bytes > SEGMENT_BYTES);
    expect(over).toHaveLength(1);
    // It holds the big batch alone: the next segment starts right after its messages.
    const next = sizes[sizes.indexOf(over[0]) + 1];
    const { count } = readBatchHeader(await follower.readFrom(over[0].base, 1), 0);
    expect(next.base).toBe(over[0].base + count);
    await expectAll(follower, expected);
    await Promise.all([follower.close(), leader.close()]);
  });

  it('with retention, the follower keeps within its byte limit plus one segment', async () => {
    const { leader } = await leaderLog(600);
    const dir = dirs.make();
    const follower = await open(dir, { segmentBytes: SEGMENT_BYTES });
    let offset = 0;
    const limit = 4 * SEGMENT_BYTES;
    while (offset < leader.logEndOffset) {
      // 16 KiB responses, each far more than a segment, as the leader sends a catching-up follower.
      offset = await follower.appendBatches(await leader.readFrom(offset, 16 * 1024));
      const now = Date.now();
      const start = retentionStart(follower.segmentFacts(now), { retentionBytes: limit }, now, 0);
      await follower.advanceStartTo(start);
      const bytes = logSizes(dir).reduce((sum, s) => sum + s.bytes, 0);
      expect(bytes).toBeLessThanOrEqual(limit + SEGMENT_BYTES);
    }
    expect(follower.logStartOffset).toBeGreaterThan(0);
    await Promise.all([follower.close(), leader.close()]);
  });

  describe('a crash in the middle of a write split over segments', () => {
    it.each([
      ['after the roll, before any byte of the new segment', 0],
      ['with one batch and part of the next written to the new segment', 1],
    ])('%s: reopen ends at a batch boundary and catches up', async (_name, wholeBatches) => {
      const { leader, expected } = await leaderLog(300);
      const dir = dirs.make();
      const snapshot = path.join(dirs.make(), 'crashed');
      const follower = await open(dir, { segmentBytes: SEGMENT_BYTES });
      const write = Segment.prototype.write;
      let crashedAt = -1;
      let keptAfter = 0;
      // The state a SIGKILL leaves at the first write into a rolled segment: the files as they
      // are in the page cache at that moment (the sealed segment before it is complete).
      jest.spyOn(Segment.prototype, 'write').mockImplementation(async function (
        this: Segment,
        buffers: Buffer[],
        position: number,
      ) {
        if (crashedAt < 0 && this.baseOffset > 0 && position === 0) {
          crashedAt = this.baseOffset;
          if (wholeBatches > 0) {
            const whole = Buffer.concat(buffers);
            const first = readBatchHeader(whole, 0);
            keptAfter = first.count;
            // The first batch whole, the next one torn.
            fs.writeSync(this.fd, whole, 0, first.size + 30, 0);
          }
          fs.cpSync(dir, snapshot, { recursive: true });
        }
        return write.call(this, buffers, position);
      });
      await follower.appendBatches(await leader.readFrom(0, 1 << 20));
      jest.restoreAllMocks();
      await follower.close();
      expect(crashedAt).toBeGreaterThan(0);

      const recovered = await open(snapshot, { segmentBytes: SEGMENT_BYTES });
      // Everything the sealed segments hold is kept; the torn batch (if any) is cut.
      expect(recovered.logEndOffset).toBe(crashedAt + keptAfter);
      expect(files(snapshot, '.log').slice(-1)[0]).toBe(
        `${String(crashedAt).padStart(20, '0')}.log`,
      );
      expect(recovered.recoveryCuts).toHaveLength(wholeBatches);
      for (const { bytes } of logSizes(snapshot)) expect(bytes).toBeLessThanOrEqual(SEGMENT_BYTES);
      // Fetching the rest from the leader completes the log.
      await recovered.appendBatches(await leader.readFrom(recovered.logEndOffset, 1 << 20));
      await expectAll(recovered, expected);
      await Promise.all([recovered.close(), leader.close()]);
    });
  });
});
