/** Damage found by reads below the recovery point: named so the log can be cut back to it. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { corruptBatchOf } from './errors';
import { decodeBatches } from './record-batch';
import { expectAll, expectCode, files, fill, flipByte, open } from './test-support/log-fixtures';
import { msg, tempDirs } from './test-support/temp-dir';

const dirs = tempDirs();
afterEach(() => dirs.cleanup());

describe('LogReader (through Log)', () => {
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
      // So do range reads, through the reused buffer.
      await expectCode(
        log.withBatchesFrom(batch.baseOffset, 1 << 20, (b) => b.length),
        'CORRUPT',
      );
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

  describe('the group just written', () => {
    it('is served from memory (as written) while it is the tail, from disk once it is not', async () => {
      const dir = dirs.make();
      const log = await open(dir, { segmentBytes: 1 << 20 });
      await log.append([msg(0)], 1);
      await log.append([msg(1)], 1);
      const asWritten = await log.readFrom(1, 1 << 20, { unsynced: true });
      expect(decodeBatches(asWritten).map((b) => b.header.baseOffset)).toEqual([1]);
      // Damage the tail group's bytes on disk: the group itself still comes from memory.
      const [file] = files(dir, '.log').map((name) => path.join(dir, name));
      flipByte(file, fs.statSync(file).size - 1);
      expect(await log.readFrom(1, 1 << 20)).toEqual(asWritten);
      // A newer group takes its place: reading offset 1 goes to the disk and finds the damage.
      await log.append([msg(2)], 1);
      await expectCode(log.readFrom(1, 1 << 20), 'CORRUPT');
      expect(decodeBatches(await log.readFrom(2, 1 << 20)).map((b) => b.header.baseOffset)).toEqual(
        [2],
      );
      await log.close();
    });

    it('is one buffer shared by every read of it (each follower fetches it), copied at most once', async () => {
      const log = await open(dirs.make(), { segmentBytes: 1 << 20 });
      await log.append([msg(0)], 1);
      // Two appends in one turn: one group of two record batches, joined by the first read.
      await Promise.all([log.append([msg(1)], 1), log.append([msg(2), msg(3)], 1)]);
      const first = await log.readFrom(1, 1 << 20, { unsynced: true });
      const second = await log.readFrom(1, 1 << 20, { unsynced: true });
      expect(decodeBatches(first).map((b) => b.header.baseOffset)).toEqual([1, 2]);
      expect(second).toBe(first);
      // A group of one batch is that batch's own buffer.
      await log.append([msg(4)], 1);
      const single = await log.readFrom(4, 1 << 20, { unsynced: true });
      expect(await log.readFrom(4, 1 << 20, { unsynced: true })).toBe(single);
      expect(decodeBatches(single).map((b) => b.header.baseOffset)).toEqual([4]);
      await log.close();
    });

    it('after the log is cut back, reads get the new group at those offsets, not the cut one', async () => {
      const log = await open(dirs.make(), { segmentBytes: 1 << 20 });
      await log.append([msg(0)], 1);
      await log.append([msg(1)], 1);
      await log.truncateTo(1);
      expect((await log.readFrom(1, 1 << 20)).length).toBe(0);
      await log.append([msg('other')], 2);
      const [batch] = decodeBatches(await log.readFrom(1, 1 << 20));
      expect(batch.header).toMatchObject({ baseOffset: 1, epoch: 2 });
      expect(batch.messages[0].toString()).toBe('message-other');
      await log.close();
    });
  });

  describe('withBatchesFrom', () => {
    it("hands readFrom's batches to `use` in a reused buffer; a large batch is not copied per read", async () => {
      const log = await open(dirs.make(), { segmentBytes: 1 << 20 });
      // One batch of 64 KiB: larger than the window findBatch walks with, so read on its own.
      await log.append(
        Array.from({ length: 64 }, () => Buffer.alloc(1024, 'a')),
        1,
      );
      await log.append([msg(1)], 1);
      await log.append([msg(2)], 1); // the group in memory is now this one, not the big batch
      const seen: Buffer[] = [];
      for (const offset of [0, 10, 64, 0]) {
        const copy = await log.withBatchesFrom(offset, 1 << 20, (batches) => {
          seen.push(batches);
          return Buffer.from(batches);
        });
        expect(copy).toEqual(await log.readFrom(offset, 1 << 20));
      }
      // Both reads of the big batch came in the same memory.
      expect(seen[0].buffer).toBe(seen[3].buffer);
      expect(await log.withBatchesFrom(log.logEndOffset, 1, (b) => b.length)).toBe(0);
      await expectCode(
        log.withBatchesFrom(log.logEndOffset + 1, 1, (b) => b.length),
        'OFFSET_OUT_OF_RANGE',
      );
      await log.close();
    });
  });
});
