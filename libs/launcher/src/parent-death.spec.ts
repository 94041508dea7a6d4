import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parentDeathSignalSupported } from './parent-death';

/**
 * A process as this spec saw it: PID plus start time (field 22 of /proc/<pid>/stat), so a PID
 * the kernel hands to someone else after ours died is never taken for ours, nor killed.
 */
interface Identity {
  pid: number;
  startTime: string;
}

function startTimeOf(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // A zombie is dead; it only waits for a parent to reap it.
    return fields[0] === 'Z' ? undefined : fields[19];
  } catch {
    return undefined;
  }
}

function identify(pid: number): Identity {
  const startTime = startTimeOf(pid);
  if (!startTime) throw new Error(`process ${pid} is not running`);
  return { pid, startTime };
}

const alive = (p: Identity): boolean => startTimeOf(p.pid) === p.startTime;

function killIfOurs(p: Identity): void {
  if (alive(p)) process.kill(p.pid, 'SIGKILL');
}

/** Runs the fixture until it prints its PIDs. */
async function startKilledLauncher(
  dataRoot: string,
): Promise<{ launcher: ChildProcess; launched: number[]; control: number }> {
  const launcher = spawn(
    process.execPath,
    [
      '-r',
      'ts-node/register/transpile-only',
      '-r',
      'tsconfig-paths/register',
      join(__dirname, '__fixtures__', 'killed-launcher.ts'),
      dataRoot,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  launcher.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return new Promise((resolve, reject) => {
    launcher.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const line = /^pids (.*)$/m.exec(output);
      if (line) resolve({ launcher, ...JSON.parse(line[1]) });
    });
    launcher.once('exit', (code) => reject(new Error(`launcher exited (${code}): ${output}`)));
  });
}

describe('dieWithParent', () => {
  it('is supported here (Linux with util-linux setpriv)', () => {
    expect(parentDeathSignalSupported()).toBe(true);
  });

  it('takes etcd, the replicas and the API down with a SIGKILLed launcher', async () => {
    const dataRoot = mkdtempSync(join(tmpdir(), 'launcher-spec-'));
    let launcher: ChildProcess | undefined;
    const ours: Identity[] = [];
    try {
      const started = await startKilledLauncher(dataRoot);
      launcher = started.launcher;
      const launched = started.launched.map(identify);
      const control = identify(started.control);
      ours.push(...launched, control);
      expect(launched).toHaveLength(4); // etcd, replica-1, replica-2, api

      const exited = new Promise((resolve) => launcher?.once('exit', resolve));
      launcher.kill('SIGKILL');
      await exited;
      const deadline = Date.now() + 5000;
      while (launched.some(alive) && Date.now() < deadline) await sleep(50);

      expect(launched.filter(alive).map((p) => p.pid)).toEqual([]);
      // What the launcher did not start lives on: nothing killed its whole process tree.
      expect(alive(control)).toBe(true);
    } finally {
      if (launcher?.exitCode === null && launcher.signalCode === null) launcher.kill('SIGKILL');
      ours.forEach(killIfOurs);
      rmSync(dataRoot, { recursive: true, force: true });
    }
  }, 60_000);
});
