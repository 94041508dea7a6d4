/**
 * Small tmpfs mounts as replica data directories, for the disk-full suites (root only): mount,
 * fill to the last byte with a filler file, free again, and unmount every one of them on every
 * way out, so no mount outlives the suite: unmountAll() in afterAll, and a reaper process per
 * mount for when the test process dies first (a signal, a crash, even SIGKILL). Exit and signal
 * listeners would not do: Jest gives each test file a copy of `process` whose listeners never
 * fire. The filler sits beside the data directory, not in it: a log directory refuses strangers.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/** Every mount point's name starts with this. */
export const TMPFS_PREFIX = 'distilled-tmpfs-';

export const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;

/** Mount point -> its reaper. */
const mounted = new Map<string, ChildProcess>();
/** Every mount point this process made, for leftoverMounts (other suites may run beside it). */
const made = new Set<string>();

/**
 * A detached shell that waits for this process to end, then unmounts `dir` (lazily, as below)
 * and removes the mount point. Killed when the mount is unmounted in the ordinary way.
 */
function startReaper(dir: string): ChildProcess {
  const script =
    'while kill -0 "$1" 2>/dev/null; do sleep 1; done; umount -l "$2" 2>/dev/null; rmdir "$2"';
  const reaper = spawn('sh', ['-c', script, 'distilled-tmpfs-reaper', String(process.pid), dir], {
    detached: true,
    stdio: 'ignore',
  });
  reaper.unref();
  return reaper;
}

function unmountNow(dir: string): void {
  mounted.get(dir)?.kill();
  try {
    // Lazy: a replica still holding files open must not keep the mount alive.
    execFileSync('umount', ['-l', dir], { stdio: 'ignore' });
  } catch {
    // not mounted (any more)
  }
  fs.rmSync(dir, { recursive: true, force: true });
  mounted.delete(dir);
}

/** Unmounts and removes every tmpfs this process mounted. Safe to call more than once. */
export function unmountAll(): void {
  for (const dir of [...mounted.keys()]) unmountNow(dir);
}

export class Tmpfs {
  /** The replica's data directory, inside the mount. */
  readonly dataDir: string;
  private readonly filler: string;

  private constructor(readonly mountPoint: string) {
    this.dataDir = path.join(mountPoint, 'data');
    this.filler = path.join(mountPoint, 'filler');
  }

  /** `label` goes into the mount point's name (`distilled-tmpfs-<label>-*`), to tell suites apart. */
  static mount(sizeMb: number, label?: string): Tmpfs {
    const name = label ? `${TMPFS_PREFIX}${label}-` : TMPFS_PREFIX;
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), name));
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${sizeMb}m`, 'tmpfs', dir]);
    mounted.set(dir, startReaper(dir));
    made.add(dir);
    return new Tmpfs(dir);
  }

  /** Bytes a non-root writer could still put there. */
  freeBytes(): number {
    const stats = fs.statfsSync(this.mountPoint);
    return stats.bavail * stats.bsize;
  }

  /** Bytes in use (the log, and the filler while full). */
  usedBytes(): number {
    const stats = fs.statfsSync(this.mountPoint);
    return (stats.blocks - stats.bfree) * stats.bsize;
  }

  /** Takes every free byte: fallocate for the bulk, then small writes until ENOSPC. */
  fill(): void {
    const free = this.freeBytes();
    if (free > 0) {
      try {
        execFileSync('fallocate', ['-l', String(free), this.filler], { stdio: 'ignore' });
      } catch {
        // fallocate refused (size rounding): the loop below fills what is left
      }
    }
    const fd = fs.openSync(this.filler, 'a');
    const chunk = Buffer.alloc(4096, 1);
    try {
      for (let size = chunk.length; size >= 1;) {
        try {
          fs.writeSync(fd, chunk, 0, size);
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
          size = size >> 1;
        }
      }
    } finally {
      fs.closeSync(fd);
    }
  }

  /** Whether a filler file is there (fill() ran and empty() has not). */
  get filled(): boolean {
    return fs.existsSync(this.filler);
  }

  /** Frees the space the filler took. */
  empty(): void {
    fs.rmSync(this.filler, { force: true });
  }

  unmount(): void {
    unmountNow(this.mountPoint);
  }
}

/**
 * tmpfs mounts this process made (under distilled-tmpfs-[<label>-]* names) that are still
 * mounted; another suite's mounts beside it are not counted.
 */
export function leftoverMounts(label?: string): string[] {
  const name = label ? `${TMPFS_PREFIX}${label}-` : TMPFS_PREFIX;
  return fs
    .readFileSync('/proc/mounts', 'utf8')
    .split('\n')
    .filter((line) => {
      const point = line.split(' ')[1];
      return line.startsWith('tmpfs ') && made.has(point) && point.includes(name);
    });
}
