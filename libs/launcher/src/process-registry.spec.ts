import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Running, as opposed to gone or a zombie waiting for a reaper that may never come here. */
function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

describe('process-exit hook', () => {
  it('kills the children of a launcher process that exits without stopping them', () => {
    const dir = mkdtempSync(join(tmpdir(), 'launcher-spec-'));
    try {
      const run = spawnSync(
        process.execPath,
        [
          '-r',
          'ts-node/register/transpile-only',
          join(__dirname, '__fixtures__', 'dying-parent.ts'),
          dir,
        ],
        { encoding: 'utf8', timeout: 20_000 },
      );
      const pid = Number(/child (\d+)/.exec(run.stdout)?.[1]);
      expect(pid).toBeGreaterThan(0);
      // SIGKILL is asynchronous; give the kernel a moment.
      const deadline = Date.now() + 2000;
      while (alive(pid) && Date.now() < deadline) spawnSync('sleep', ['0.05']);
      expect(alive(pid)).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
