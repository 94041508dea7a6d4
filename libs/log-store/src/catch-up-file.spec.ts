import * as fs from 'node:fs';
import * as path from 'node:path';
import { CATCH_UP_FILE, parsePendingCatchUp, PendingCatchUpFile } from './catch-up-file';
import { Log } from './log';
import { tempDirs } from './test-support/temp-dir';

describe('catch-up file', () => {
  const dirs = tempDirs();
  afterEach(() => dirs.cleanup());

  it('is absent until recorded, kept across loads, and gone once cleared', async () => {
    const dir = dirs.make();
    const warnings: string[] = [];
    const file = PendingCatchUpFile.load(dir, (line) => warnings.push(line));
    expect(file.value).toBeNull();
    await file.record({ from: 8, known: 6 });
    expect(fs.readFileSync(path.join(dir, CATCH_UP_FILE), 'utf8')).toBe('0\n8\n6\n');
    expect(PendingCatchUpFile.load(dir, (line) => warnings.push(line)).value).toEqual({
      from: 8,
      known: 6,
    });
    await file.clear();
    expect(fs.existsSync(path.join(dir, CATCH_UP_FILE))).toBe(false);
    expect(PendingCatchUpFile.load(dir, (line) => warnings.push(line)).value).toBeNull();
    expect(warnings).toEqual([]);
  });

  it('keeps call order: a clear right after a record leaves no file behind', async () => {
    const dir = dirs.make();
    const file = PendingCatchUpFile.load(dir, () => undefined);
    // Unchained, the delete would finish before the write's fsync and rename, and the file stay.
    void file.record({ from: 3, known: 2 });
    await file.clear();
    expect(fs.existsSync(path.join(dir, CATCH_UP_FILE))).toBe(false);
    await file.record({ from: 5, known: 4 });
    expect(PendingCatchUpFile.load(dir, () => undefined).value).toEqual({ from: 5, known: 4 });
  });

  it('a file that does not parse reads as a cut at 0 (wait for a leader), with a warning', () => {
    const dir = dirs.make();
    fs.writeFileSync(path.join(dir, CATCH_UP_FILE), 'garbage');
    const warnings: string[] = [];
    expect(PendingCatchUpFile.load(dir, (line) => warnings.push(line)).value).toEqual({
      from: 0,
      known: 0,
    });
    expect(warnings[0]).toMatch(/does not parse .* waits for a leader/);
  });

  it.each([
    ['a valid note', '0\n8\n6\n', { from: 8, known: 6 }],
    ['an unknown version', '1\n8\n6\n', null],
    ['a negative offset', '0\n-1\n6\n', null],
    ['not a number', '0\nx\n6\n', null],
    ['a missing line', '0\n8\n', null],
  ])('parses %s', (_case, text, expected) => {
    expect(parsePendingCatchUp(text)).toEqual(expected);
  });

  it('a Log opens a directory holding the note and reports it', async () => {
    const dir = dirs.make();
    let log = await Log.open({ dir });
    expect(log.metadata.pendingCatchUp).toBeNull();
    await log.metadata.recordCatchUp({ from: 0, known: 0 });
    await log.close();
    log = await Log.open({ dir });
    expect(log.metadata.pendingCatchUp).toEqual({ from: 0, known: 0 });
    await log.metadata.clearCatchUp();
    await log.close();
    log = await Log.open({ dir });
    expect(log.metadata.pendingCatchUp).toBeNull();
    await log.close();
  });
});
