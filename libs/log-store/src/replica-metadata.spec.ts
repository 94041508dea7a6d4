/** The high-watermark checkpoint kept beside the log, across reopens and recovery cuts. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { expectCode, files, fill, flipByte, open } from './test-support/log-fixtures';
import { tempDirs } from './test-support/temp-dir';

const dirs = tempDirs();
afterEach(() => dirs.cleanup());

describe('ReplicaMetadata (through Log.metadata)', () => {
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
});
