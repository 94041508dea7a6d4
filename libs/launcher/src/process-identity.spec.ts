import { spawn } from 'node:child_process';
import {
  descendantsOf,
  identifyProcess,
  isRunning,
  killIfRunning,
  type ProcessIdentity,
} from './process-identity';

describe('process identity', () => {
  it('knows this process and refuses a PID nothing runs under', () => {
    expect(isRunning(identifyProcess(process.pid))).toBe(true);
    // PIDs never reach 2^22 on Linux (pid_max is at most 4194304).
    expect(() => identifyProcess(4_194_305)).toThrow('not running');
  });

  it('finds a child among the descendants and kills it, but never a stranger with its PID', async () => {
    const child = spawn('sleep', ['30'], { stdio: 'ignore' });
    const exited = new Promise((resolve) => child.once('exit', resolve));
    try {
      const real = identifyProcess(child.pid!);
      expect(descendantsOf(process.pid)).toContainEqual(real);

      // The same PID with another start time is another process (the PID was reused).
      const stranger: ProcessIdentity = { pid: real.pid, startTime: `${real.startTime}1` };
      expect(isRunning(stranger)).toBe(false);
      killIfRunning(stranger);
      expect(isRunning(real)).toBe(true);

      killIfRunning(real);
      await exited;
      expect(isRunning(real)).toBe(false);
    } finally {
      child.kill('SIGKILL');
    }
  });
});
