/**
 * Small tmpfs mounts as replica data directories, for the disk-full suites (root only): mount,
 * fill to the last byte with a filler file, free again, and unmount every one of them on every
 * way out (afterAll, and process exit or a signal if jest dies first), so no mount outlives the
 * suite. The filler sits beside the data directory, not in it: a log directory refuses strangers.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/** Every mount point's name starts with this. */
export const TMPFS_PREFIX = 'distilled-tmpfs-';

export const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;

const mounted = new Set<string>();
let hooked = false;

function unmountNow(dir: string): void {
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
  for (const dir of [...mounted]) unmountNow(dir);
}

function hookExit(): void {
  if (hooked) return;
  hooked = true;
  process.once('exit', unmountAll);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      unmountAll();
      process.kill(process.pid, signal);
    });
  }
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
    hookExit();
    const name = label ? `${TMPFS_PREFIX}${label}-` : TMPFS_PREFIX;
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), name));
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${sizeMb}m`, 'tmpfs', dir]);
    mounted.add(dir);
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

/** tmpfs mounts still present under the temp directory's distilled-tmpfs-[<label>-]* names. */
export function leftoverMounts(label?: string): string[] {
  const name = label ? `${TMPFS_PREFIX}${label}-` : TMPFS_PREFIX;
  return fs
    .readFileSync('/proc/mounts', 'utf8')
    .split('\n')
    .filter((line) => line.startsWith('tmpfs ') && line.includes(name));
}
