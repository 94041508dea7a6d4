import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { FAULT_TMPFS_LABEL, FaultCluster } from './fault-cluster';
import { isRoot, leftoverMounts } from '../helpers/tmpfs';
import { waitApiReady } from './nemesis';

// The fault cluster's tmpfs data directories (the disk-full fault; root only, it mounts them):
// each replica's log is on its own mount, and stop() unmounts every one, after copying the data
// out when a failed run keeps it (the same stop an abandoned run ends with).
const describeAsRoot = isRoot ? describe : describe.skip;
if (!isRoot) process.stderr.write('fault-cluster.e2e-spec: SKIPPED, not running as root\n');

describeAsRoot('the fault cluster on tmpfs data directories', () => {
  let cluster: FaultCluster | undefined;

  afterAll(async () => {
    await cluster?.stop(false);
    // The test stops the cluster keeping its data (to check what a failed run keeps); stop() runs
    // once, so the kept copy is removed here.
    if (cluster) rmSync(cluster.dataRoot, { recursive: true, force: true });
    expect(leftoverMounts(FAULT_TMPFS_LABEL)).toEqual([]);
  }, 60_000);

  it('puts each replica on its own mount, and a failed run keeps the data but no mount', async () => {
    cluster = await FaultCluster.start({ label: 'tmpfs-check', replicas: 2, tmpfsMb: 8 });
    await waitApiReady(cluster.apiUrl, 30_000);
    const disks = [...cluster.disks.values()];
    expect([...cluster.disks.keys()]).toEqual(['replica-1', 'replica-2']);
    expect(leftoverMounts(FAULT_TMPFS_LABEL)).toHaveLength(2);
    for (const replica of cluster.local.replicas) {
      expect(replica.dataDir).toBe(cluster.disks.get(replica.id)!.dataDir);
    }
    const disk = disks[0];
    disk.fill();
    expect(disk.freeBytes()).toBe(0);
    expect(disk.filled).toBe(true);
    disk.empty();
    expect(disk.freeBytes()).toBeGreaterThan(0);

    await cluster.stop(true);
    expect(leftoverMounts(FAULT_TMPFS_LABEL)).toEqual([]);
    for (const id of ['replica-1', 'replica-2']) {
      expect(readdirSync(join(cluster.dataRoot, id)).length).toBeGreaterThan(0);
    }
    expect(existsSync(disk.mountPoint)).toBe(false);
  }, 90_000);
});
