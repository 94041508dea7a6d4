/**
 * A disk that runs out of room, for the disk-full specs: spies on the calls the log writes
 * through (the segments' writevSync, the atomic replace of small files) and lets through only
 * `room` more bytes, the way the kernel does: a writev that does not fit writes what fits and
 * returns the short count, the next one fails with ENOSPC (or EDQUOT). Every byte let through is
 * really written. `room = Infinity` is a disk with space again; restore() removes the spies.
 */
import * as atomicFile from '../atomic-file';

// The module object itself (a namespace import is a frozen copy that spyOn cannot change).
const fs = require('node:fs') as typeof import('node:fs');

export interface FullDisk {
  /** Bytes the disk still takes. */
  room: number;
  /** Calls refused outright. */
  refused: number;
  restore(): void;
}

function refusal(code: string): NodeJS.ErrnoException {
  const error = new Error(`${code}: no space left on device, write`) as NodeJS.ErrnoException;
  error.code = code;
  return error;
}

export function fullDisk(room: number, code: 'ENOSPC' | 'EDQUOT' = 'ENOSPC'): FullDisk {
  const disk: FullDisk = { room, refused: 0, restore: () => undefined };
  const realWritev = fs.writevSync.bind(fs);
  const realAtomic = atomicFile.writeFileAtomic;
  const writev = jest
    .spyOn(fs, 'writevSync')
    .mockImplementation((fd: number, buffers: readonly NodeJS.ArrayBufferView[], position) => {
      const bytes = Buffer.concat(
        buffers.map((b) => Buffer.from(b.buffer, b.byteOffset, b.byteLength)),
      );
      const fits = Math.min(bytes.length, disk.room);
      if (fits === 0 && bytes.length > 0) {
        disk.refused++;
        throw refusal(code);
      }
      disk.room -= fits;
      return realWritev(fd, [bytes.subarray(0, fits)], position ?? undefined);
    });
  const atomic = jest
    .spyOn(atomicFile, 'writeFileAtomic')
    .mockImplementation(async (file, bytes, options) => {
      const size = Buffer.byteLength(bytes);
      if (size > disk.room) {
        disk.refused++;
        throw refusal(code);
      }
      disk.room -= size;
      return realAtomic(file, bytes, options);
    });
  disk.restore = () => {
    writev.mockRestore();
    atomic.mockRestore();
  };
  return disk;
}
