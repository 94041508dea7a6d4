/** CPU time and RSS of processes, read from /proc (Linux only). */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

let ticksPerSecond: number | undefined;

function clockTicks(): number {
  if (ticksPerSecond === undefined) {
    try {
      ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;
    } catch {
      ticksPerSecond = 100;
    }
  }
  return ticksPerSecond;
}

/** utime + stime of `pid` in seconds (NaN when the process is gone). */
export function cpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may contain spaces) start at field 3 (state).
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / clockTicks();
  } catch {
    return NaN;
  }
}

/** Resident set size of `pid` in bytes (NaN when the process is gone). */
export function rssBytes(pid: number): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
    return match ? Number(match[1]) * 1024 : NaN;
  } catch {
    return NaN;
  }
}

/** CPU seconds of this process (all threads), from process.cpuUsage. */
export function selfCpuSeconds(): number {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1e6;
}

/** The processes whose CPU a measurement window reports, by label ("gen" is this process). */
export type PidMap = Record<string, number | undefined>;

export interface CpuSnapshot {
  at: number;
  seconds: Record<string, number>;
}

/** CPU seconds all cores of this machine spent busy (user, nice, system, irq, softirq, steal). */
export function hostBusySeconds(): number {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n')[0];
    const [, user, nice, system, , , irq, softirq, steal] = line.trim().split(/\s+/).map(Number);
    return (user + nice + system + irq + softirq + steal) / clockTicks();
  } catch {
    return NaN;
  }
}

export function snapshotCpu(pids: PidMap): CpuSnapshot {
  const seconds: Record<string, number> = { gen: selfCpuSeconds(), host: hostBusySeconds() };
  for (const [label, pid] of Object.entries(pids)) {
    if (pid !== undefined) seconds[label] = cpuSeconds(pid);
  }
  return { at: performance.now(), seconds };
}

/**
 * CPU used per process between two snapshots, as a fraction of one core (1 = 100%), plus
 * "host" (all cores busy, same unit) and "other": what the rest of the machine used meanwhile
 * (host minus the processes measured), the sign of a noisy neighbour.
 */
export function cpuShare(before: CpuSnapshot, after: CpuSnapshot): Record<string, number> {
  const wall = (after.at - before.at) / 1000;
  const share: Record<string, number> = {};
  let ours = 0;
  for (const label of Object.keys(after.seconds)) {
    share[label] = (after.seconds[label] - before.seconds[label]) / wall;
    if (label !== 'host' && Number.isFinite(share[label])) ours += share[label];
  }
  share.other = Math.max(0, share.host - ours);
  return share;
}
