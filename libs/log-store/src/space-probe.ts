/**
 * Whether the disk holding the log has room again, found out the only reliable way: by writing.
 * statfs numbers say little on their own (reserved blocks, quotas, thin provisioning, another
 * process filling the disk a moment later), so the probe writes `bytes` to `space-probe.tmp` in
 * the log directory and deletes it. A full disk answers ENOSPC or EDQUOT; the probe then resolves
 * false. Other errors are thrown: they are not about space.
 *
 * The file ends in `.tmp`, so a crash that leaves it behind is cleaned up by Log.open
 * (log-directory.ts). Not fsynced: its bytes are never needed, and the space is reserved by the
 * write itself (tmpfs, and ext4/xfs's delayed allocation reserve blocks at write time).
 *
 * Concurrency: one probe at a time per directory (the caller's retry loop runs them in turn).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { TMP_SUFFIX } from './atomic-file';
import { isDiskFull } from './disk-full';

export const SPACE_PROBE_FILE = 'space-probe';

export async function probeSpace(dir: string, bytes: number): Promise<boolean> {
  const file = path.join(dir, SPACE_PROBE_FILE + TMP_SUFFIX);
  try {
    const handle = await fs.promises.open(file, 'w');
    try {
      await handle.writeFile(Buffer.alloc(bytes));
    } finally {
      await handle.close();
    }
    return true;
  } catch (error) {
    if (isDiskFull(error)) return false;
    throw error;
  } finally {
    await fs.promises.rm(file, { force: true });
  }
}
