import * as fs from 'node:fs';
import * as path from 'node:path';
import { syncDir, writeFileAtomic } from './atomic-file';
import { tempDirs } from './test-support/temp-dir';

describe('writeFileAtomic', () => {
  const dirs = tempDirs();
  afterEach(() => dirs.cleanup());

  it('creates the file, then replaces it whole, leaving no temp file behind', async () => {
    const dir = dirs.make();
    const file = path.join(dir, 'state');
    await writeFileAtomic(file, 'first\n');
    expect(fs.readFileSync(file, 'utf8')).toBe('first\n');
    await writeFileAtomic(file, Buffer.from('second, longer\n'), { syncDir: false });
    expect(fs.readFileSync(file, 'utf8')).toBe('second, longer\n');
    expect(fs.readdirSync(dir)).toEqual(['state']);
  });

  it('a write that fails leaves the old file as it was', async () => {
    const dir = dirs.make();
    const file = path.join(dir, 'state');
    await writeFileAtomic(file, 'kept\n');
    // The temp name is taken by a directory: open() fails before anything is renamed.
    fs.mkdirSync(file + '.tmp');
    await expect(writeFileAtomic(file, 'lost\n')).rejects.toThrow();
    expect(fs.readFileSync(file, 'utf8')).toBe('kept\n');
  });

  it('syncDir fails loudly for a directory that does not exist', async () => {
    await expect(syncDir(path.join(dirs.make(), 'missing'))).rejects.toThrow(/ENOENT/);
  });
});
