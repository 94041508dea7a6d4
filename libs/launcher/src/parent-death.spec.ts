import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parentDeathSignalSupported } from './parent-death';
import {
  identifyProcess,
  isRunning,
  killIfRunning,
  type ProcessIdentity,
} from './process-identity';

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
    const ours: ProcessIdentity[] = [];
    try {
      const started = await startKilledLauncher(dataRoot);
      launcher = started.launcher;
      const launched = started.launched.map(identifyProcess);
      const control = identifyProcess(started.control);
      ours.push(...launched, control);
      expect(launched).toHaveLength(4); // etcd, replica-1, replica-2, api

      const exited = new Promise((resolve) => launcher?.once('exit', resolve));
      launcher.kill('SIGKILL');
      await exited;
      const deadline = Date.now() + 5000;
      while (launched.some(isRunning) && Date.now() < deadline) await sleep(50);

      expect(launched.filter(isRunning).map((p) => p.pid)).toEqual([]);
      // What the launcher did not start lives on: nothing killed its whole process tree.
      expect(isRunning(control)).toBe(true);
    } finally {
      if (launcher?.exitCode === null && launcher.signalCode === null) launcher.kill('SIGKILL');
      ours.forEach(killIfRunning);
      rmSync(dataRoot, { recursive: true, force: true });
    }
  }, 60_000);
});
