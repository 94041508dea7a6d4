import * as fs from 'node:fs';
import * as path from 'node:path';
import { LogStoreError } from './errors';
import { INCARNATION_FILE, loadOrCreateIncarnation, parseIncarnation } from './incarnation-file';
import { tempDirs } from './test-support/temp-dir';

describe('incarnation file', () => {
  const dirs = tempDirs();
  afterEach(() => dirs.cleanup());

  describe('loadOrCreateIncarnation', () => {
    it('creates a new incarnation on an empty directory and keeps it across opens', async () => {
      const dir = dirs.make();
      const created = await loadOrCreateIncarnation(dir, true);
      expect(created.origin).toBe('new');
      expect(fs.readFileSync(path.join(dir, INCARNATION_FILE), 'utf8')).toBe(`0\n${created.id}\n`);
      expect(await loadOrCreateIncarnation(dir, false)).toEqual({
        id: created.id,
        origin: 'existing',
      });
    });

    it('adopts a log written before incarnations existed', async () => {
      const dir = dirs.make();
      expect((await loadOrCreateIncarnation(dir, false)).origin).toBe('adopted');
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
      ['a valid file', '0\nabc-123\n', 'abc-123'],
      ['no trailing newline', '0\nabc', 'abc'],
      ['an unknown version', '1\nabc\n', null],
      ['an empty id', '0\n\n', null],
      ['a slash in the id', '0\na/b\n', null],
      ['trailing junk', '0\nabc\ndef\n', null],
    ])('%s', (_case, text, expected) => {
      expect(parseIncarnation(text)).toBe(expected);
    });
  });
});
