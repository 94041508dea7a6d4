import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { Log } from './log';
import { tempDirs } from './test-support/temp-dir';

/**
 * Real crash: a child appends with fsync `always` and prints each resolved offset; we SIGKILL it
 * mid-stream and check that every acknowledged message is in the reopened log, byte for byte.
 */
describe('Log crash safety', () => {
  const dirs = tempDirs();
  afterEach(() => dirs.cleanup());

  function runAndKill(dir: string, round: number): Promise<Map<number, string>> {
    return new Promise((resolve, reject) => {
      const child = spawn(
        process.execPath,
        [
          '-r',
          'ts-node/register/transpile-only',
          '-r',
          'tsconfig-paths/register',
          path.join(__dirname, 'test-support', 'append-loop.ts'),
          dir,
          String(round),
        ],
        // From the repo root, where ts-node and tsconfig.json (with its @distilled/* paths) are found.
        { stdio: ['ignore', 'pipe', 'pipe'], cwd: path.resolve(__dirname, '../../..') },
      );
      let out = '';
      let err = '';
      let timer: NodeJS.Timeout | null = null;
      child.stdout.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        if (!timer && out.includes('ready')) timer = setTimeout(() => child.kill('SIGKILL'), 1000);
      });
      child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
      child.on('exit', (_code, signal) => {
        if (signal !== 'SIGKILL') return reject(new Error(`child exited by itself: ${err}`));
        const acked = new Map<number, string>();
        // The last line may be cut by the kill: only whole lines count.
        for (const line of out.split('\n').slice(0, -1)) {
          const [offset, tag] = line.split(' ');
          if (offset !== 'ready') acked.set(Number(offset), tag);
        }
        resolve(acked);
      });
    });
  }

  it('every acknowledged append survives SIGKILL, over two crash-and-recover rounds', async () => {
    const dir = dirs.make();
    const all = new Map<number, string>();
    for (const round of [1, 2]) {
      const acked = await runAndKill(dir, round);
      expect(acked.size).toBeGreaterThan(10);
      for (const [o, t] of acked) all.set(o, t);
      const log = await Log.open({ dir, segmentBytes: 64 * 1024 });
      expect(log.logEndOffset).toBeGreaterThan(Math.max(...acked.keys()));
      for (const [offset, tag] of all) {
        expect((await log.read(offset)).message.toString()).toBe(tag);
      }
      await log.close();
    }
  }, 60_000);
});
