import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { descendantsOf, isRunning, killIfRunning, type ProcessIdentity } from '@distilled/launcher';

// The browser suites' Chromium must not outlive a test process that dies without closing it
// (a crash, a CI timeout's SIGKILL): playwright drives it over a pipe, and Chromium shuts down
// when that pipe's other end closes, which the kernel does for a dead process whatever killed it.

const commandLine = (p: ProcessIdentity): string => {
  try {
    return readFileSync(`/proc/${p.pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
  } catch {
    return '';
  }
};

/**
 * Runs helpers/chromium-until-killed.ts until Chromium is up. Its TMPDIR is `tmp`: playwright
 * makes the browser's profile and artifacts directories there and removes them on close, which
 * a SIGKILLed launcher never reaches, so the test removes `tmp` itself.
 */
function startLauncher(tmp: string): Promise<ChildProcess> {
  const launcher = spawn(
    process.execPath,
    [
      '-r',
      'ts-node/register/transpile-only',
      '-r',
      'tsconfig-paths/register',
      join(__dirname, 'helpers', 'chromium-until-killed.ts'),
    ],
    { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, TMPDIR: tmp } },
  );
  let output = '';
  return new Promise((resolve, reject) => {
    const collect = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('chromium ready')) resolve(launcher);
    };
    launcher.stdout?.on('data', collect);
    launcher.stderr?.on('data', collect);
    launcher.once('exit', (code) => reject(new Error(`launcher exited (${code}): ${output}`)));
  });
}

describe('Chromium of a killed test process', () => {
  it('goes down with it, helpers and renderers included', async () => {
    let launcher: ChildProcess | undefined;
    let browser: ProcessIdentity[] = [];
    const tmp = mkdtempSync(join(tmpdir(), 'distilled-chromium-killed-'));
    try {
      launcher = await startLauncher(tmp);
      browser = descendantsOf(launcher.pid!);
      expect(browser.some((p) => commandLine(p).includes('chromium'))).toBe(true);

      const exited = new Promise((resolve) => launcher?.once('exit', resolve));
      launcher.kill('SIGKILL');
      await exited;
      const deadline = Date.now() + 10_000;
      while (browser.some(isRunning) && Date.now() < deadline) await sleep(100);

      expect(browser.filter(isRunning).map(commandLine)).toEqual([]);
    } finally {
      if (launcher?.exitCode === null && launcher.signalCode === null) launcher.kill('SIGKILL');
      browser.forEach(killIfRunning);
      rmSync(tmp, { recursive: true, force: true });
    }
  }, 60_000);
});
