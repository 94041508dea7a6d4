/**
 * A process as more than its PID: the PID plus its start time (field 22 of /proc/<pid>/stat), so
 * a PID the kernel has handed to someone else since ours died is never taken for ours, nor
 * signalled. For tests that check processes died with their parent, and clean up if not.
 * Linux only (/proc).
 */
import { readdirSync, readFileSync } from 'node:fs';

export interface ProcessIdentity {
  pid: number;
  /** Clock ticks after boot; fixed for the life of the process. */
  startTime: string;
}

/** State, parent PID and start time of a process, or undefined when there is none. */
function stat(pid: number): { state: string; ppid: number; startTime: string } | undefined {
  try {
    const line = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces and parentheses: count from the last ')'.
    const fields = line.slice(line.lastIndexOf(')') + 2).split(' ');
    return { state: fields[0], ppid: Number(fields[1]), startTime: fields[19] };
  } catch {
    return undefined;
  }
}

/** The identity of a running process; throws if `pid` does not run. */
export function identifyProcess(pid: number): ProcessIdentity {
  const found = stat(pid);
  if (!found || found.state === 'Z') throw new Error(`process ${pid} is not running`);
  return { pid, startTime: found.startTime };
}

/** Whether that very process still runs (a zombie does not: it only waits to be reaped). */
export function isRunning(identity: ProcessIdentity): boolean {
  const found = stat(identity.pid);
  return !!found && found.state !== 'Z' && found.startTime === identity.startTime;
}

/** SIGKILLs the process if it is still that very one; never a stranger that got its PID. */
export function killIfRunning(identity: ProcessIdentity): void {
  if (!isRunning(identity)) return;
  try {
    process.kill(identity.pid, 'SIGKILL');
  } catch {
    // died in between
  }
}

/** Every running descendant of `pid` (children, their children, ...). */
export function descendantsOf(pid: number): ProcessIdentity[] {
  const parents = new Map<number, number[]>();
  for (const name of readdirSync('/proc')) {
    const child = Number(name);
    const found = Number.isInteger(child) ? stat(child) : undefined;
    if (!found || found.state === 'Z') continue;
    parents.set(found.ppid, [...(parents.get(found.ppid) ?? []), child]);
  }
  const found: ProcessIdentity[] = [];
  const visit = (parent: number) => {
    for (const child of parents.get(parent) ?? []) {
      const identity = stat(child);
      if (identity) found.push({ pid: child, startTime: identity.startTime });
      visit(child);
    }
  };
  visit(pid);
  return found;
}
