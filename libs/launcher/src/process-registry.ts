import type { ChildProcess } from 'node:child_process';

/**
 * Every child process the launcher has spawned and not yet seen exit. A test runner or CLI that
 * dies without calling stop() must not leave replicas, APIs or etcd running behind it (they
 * would hold ports and etcd leases, and confuse the next run), so a process-exit hook
 * SIGKILLs whatever is still here. The fallback of parent-death.ts, for where the kernel cannot
 * do it: best effort, since nothing runs if this process is SIGKILLed, and Jest never calls the
 * 'exit' listeners of a test file's `process`.
 */
const live = new Set<ChildProcess>();
let hooked = false;

function killAll(): void {
  for (const child of live) {
    try {
      // A stopped (SIGSTOP) child still dies on SIGKILL, so no SIGCONT is needed.
      child.kill('SIGKILL');
    } catch {
      // already gone
    }
  }
  live.clear();
}

/** Tracks `child` until it exits. */
export function registerChild(child: ChildProcess): void {
  if (!hooked) {
    hooked = true;
    // 'exit' handlers may only do synchronous work; kill() is synchronous.
    process.on('exit', killAll);
  }
  live.add(child);
  child.once('exit', () => live.delete(child));
}

/** How many spawned children are still alive (for tests of the launcher itself). */
export function liveChildCount(): number {
  return live.size;
}
