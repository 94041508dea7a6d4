import { LogStoreError } from './errors';
import { Log } from './log';
import { batchKeys, decodeBatches } from './record-batch';
import { msg, tempDirs } from './test-support/temp-dir';

const dirs = tempDirs();
afterEach(() => dirs.cleanup());

const tag = (key: string) => ({ key, hash: Buffer.from(`hash-of-${key}`) });

describe('Log.append options', () => {
  describe('expectedOffset', () => {
    it('appends when the batch would start there', async () => {
      const log = await Log.open({ dir: dirs.make() });
      await log.append([msg(0)], 1);
      const result = await log.append([msg(1), msg(2)], 1, undefined, { expectedOffset: 1 });
      expect(result).toEqual({ baseOffset: 1, count: 2, duplicate: false });
      await log.close();
    });

    it('refuses with the next offset and stores nothing otherwise', async () => {
      const log = await Log.open({ dir: dirs.make() });
      await log.append([msg(0)], 1);
      const refused = log.append([msg(1)], 1, undefined, { expectedOffset: 0 });
      await expect(refused).rejects.toMatchObject({
        code: 'OFFSET_MISMATCH',
        details: { expectedOffset: 0, nextOffset: 1 },
      });
      expect(log.logEndOffset).toBe(1);
      await log.close();
    });

    it('decides in append order: of racing appends for one offset, the first wins', async () => {
      const log = await Log.open({ dir: dirs.make() });
      const racers = [0, 1, 2, 3].map((i) =>
        log.append([msg(`racer-${i}`)], 1, undefined, { expectedOffset: 0 }),
      );
      const plain = log.append([msg('plain')], 1);
      const outcomes = await Promise.allSettled(racers);
      expect(outcomes.map((o) => o.status)).toEqual([
        'fulfilled',
        'rejected',
        'rejected',
        'rejected',
      ]);
      for (const outcome of outcomes.slice(1)) {
        const reason = (outcome as PromiseRejectedResult).reason as LogStoreError;
        expect(reason.details.nextOffset).toBe(1);
      }
      // The unconditional append after them gets the next offset: no hole.
      expect((await plain).baseOffset).toBe(1);
      expect((await log.read(0)).message.toString()).toBe('message-racer-0');
      await log.close();
    });

    it('refuses a value that is not an offset before queueing', async () => {
      const log = await Log.open({ dir: dirs.make() });
      await expect(
        log.append([msg(0)], 1, undefined, { expectedOffset: -1 }),
      ).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
      await log.close();
    });
  });

  describe('idempotency tag', () => {
    it('is written into the batch, read back and kept across a reopen', async () => {
      const dir = dirs.make();
      let log = await Log.open({ dir });
      await log.append([msg(0)], 1);
      await log.append([msg(1), msg(2)], 1, undefined, { idempotency: tag('k1') });
      await log.close();
      log = await Log.open({ dir });
      const [plain, keyed] = decodeBatches(await log.readFrom(0, 1 << 20));
      expect(plain.messages.map(String)).toEqual(['message-0']);
      expect(keyed.header).toMatchObject({ baseOffset: 1, count: 2 });
      const bytes = await log.readFrom(1, 0);
      expect(batchKeys(bytes)[0]?.tag.key).toBe('k1');
      expect(String(batchKeys(bytes)[0]?.tag.hash)).toBe('hash-of-k1');
      expect((await log.read(2)).message.toString()).toBe('message-2');
      await log.close();
    });

    it('reaches a follower verbatim through appendBatches', async () => {
      const leader = await Log.open({ dir: dirs.make() });
      const follower = await Log.open({ dir: dirs.make() });
      await leader.append([msg(0)], 1, undefined, { idempotency: tag('k2') });
      await follower.appendBatches(await leader.readFrom(0, 1 << 20));
      expect(batchKeys(await follower.readFrom(0, 0))[0]?.tag.key).toBe('k2');
      await leader.close();
      await follower.close();
    });

    it('refuses a key that is not 1..255 visible ASCII', async () => {
      const log = await Log.open({ dir: dirs.make() });
      await expect(
        log.append([msg(0)], 1, undefined, { idempotency: tag('with space') }),
      ).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
      expect(log.logEndOffset).toBe(0);
      await log.close();
    });
  });
});
