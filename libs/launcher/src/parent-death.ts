/**
 * Ties every process the launcher spawns to the life of the process that spawned it: the kernel
 * SIGKILLs the child the moment its parent dies, however it dies (a crash, a SIGTERM a test
 * runner never hands to its listeners, a CI timeout's SIGKILL). Done with Linux's parent-death
 * signal (prctl PR_SET_PDEATHSIG), set by util-linux's `setpriv`, which then execs the real
 * command in place, so the PID the launcher signals is still the child's own.
 *
 * Why this rather than a reaper process or a sweep of recorded PIDs on the next run: the kernel
 * delivers it at once and cannot be killed first, and it never signals a process by number
 * later, so a reused PID can never be hit. A reaper can itself be killed, polls, and must check
 * start times; a sweep leaves the orphans running until the next run. The catch: the "parent"
 * is the spawning thread, so children started from a worker_thread die when that worker ends.
 *
 * Where setpriv is missing or too old (not Linux, util-linux < 2.33), commands run unwrapped
 * and only the process-exit hook of process-registry.ts remains (best effort).
 */
import { spawnSync } from 'node:child_process';

let setprivWorks: boolean | undefined;

/** Whether `setpriv --pdeathsig` runs here; probed once. */
export function parentDeathSignalSupported(): boolean {
  setprivWorks ??=
    process.platform === 'linux' &&
    spawnSync('setpriv', ['--pdeathsig', 'KILL', '--', 'true'], { stdio: 'ignore' }).status === 0;
  return setprivWorks;
}

/**
 * `[command, ...args]` prefixed so that the process it starts is SIGKILLed when this one dies;
 * unchanged where that is not supported.
 */
export function dieWithParent(command: string[]): string[] {
  return parentDeathSignalSupported()
    ? ['setpriv', '--pdeathsig', 'KILL', '--', ...command]
    : command;
}
