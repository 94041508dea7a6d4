import * as fs from 'node:fs';
import * as path from 'node:path';
import { LogStoreError } from './errors';
import { INCARNATION_FILE, loadOrCreateIncarnation, parseIncarnation } from './incarnation-file';
import { tempDirs } from './test-support/temp-dir';

describe('incarnation file', () => {
  const dirs = tempDirs();
  afterEach(() => dirs.cleanup());

  describe('loadOrCreateIncarnation', () => {
    it('creates a new incarnation on an empty directory and keeps it, created-empty, across opens', async () => {
      const dir = dirs.make();
      const created = await loadOrCreateIncarnation(dir, true);
      expect(created).toMatchObject({ origin: 'new', createdEmpty: true });
      expect(fs.readFileSync(path.join(dir, INCARNATION_FILE), 'utf8')).toBe(
        `0\n${created.id}\ncreated-empty\n`,
      );
      // A restart before any leader recorded it must still know it began empty.
      expect(await loadOrCreateIncarnation(dir, false)).toEqual({
        id: created.id,
        origin: 'existing',
        createdEmpty: true,
      });
    });

    it('adopts a log written before incarnations existed, and keeps it not created-empty', async () => {
      const dir = dirs.make();
      const adopted = await loadOrCreateIncarnation(dir, false);
      expect(adopted).toMatchObject({ origin: 'adopted', createdEmpty: false });
      expect(fs.readFileSync(path.join(dir, INCARNATION_FILE), 'utf8')).toBe(`0\n${adopted.id}\n`);
      expect(await loadOrCreateIncarnation(dir, false)).toMatchObject({ createdEmpty: false });
    });

    it('a wiped directory gets a different incarnation', async () => {
      const dir = dirs.make();
      const before = await loadOrCreateIncarnation(dir, true);
      fs.rmSync(path.join(dir, INCARNATION_FILE));
      const after = await loadOrCreateIncarnation(dir, true);
      expect(after.id).not.toBe(before.id);
      expect(after.origin).toBe('new');
    });

    it('an unreadable file is CORRUPT, naming the file and what to do', async () => {
      const dir = dirs.make();
      fs.writeFileSync(path.join(dir, INCARNATION_FILE), 'garbage');
      const error = await loadOrCreateIncarnation(dir, false).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(LogStoreError);
      expect((error as LogStoreError).code).toBe('CORRUPT');
      expect((error as Error).message).toContain(INCARNATION_FILE);
      expect((error as Error).message).toContain('rejoins the ISR only once it has caught up');
    });
  });

  describe('parseIncarnation', () => {
    it.each([
      ['a valid file', '0\nabc-123\n', { id: 'abc-123', createdEmpty: false }],
      ['no trailing newline', '0\nabc', { id: 'abc', createdEmpty: false }],
      ['created empty', '0\nabc\ncreated-empty\n', { id: 'abc', createdEmpty: true }],
      ['an unknown version', '1\nabc\n', null],
      ['an empty id', '0\n\n', null],
      ['a slash in the id', '0\na/b\n', null],
      ['trailing junk', '0\nabc\ndef\n', null],
      ['a line too many', '0\nabc\ncreated-empty\nx\n', null],
    ])('%s', (_case, text, expected) => {
      expect(parseIncarnation(text)).toEqual(expected);
    });
  });
});
