import { LocalCluster } from '@distilled/launcher';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dumpOutput } from './helpers/e2e-cluster';
import { ApiClient } from './helpers/api-client';
import { expectAckedReadable, startWriters } from './helpers/writers';

// Suite 5: stop the whole cluster and start it again on the same data: the log is intact and
// new writes continue where it ended.
describe('whole-cluster restart', () => {
  const dataRoot = mkdtempSync(join(tmpdir(), 'distilled-restart-'));
  let local: LocalCluster | undefined;

  afterAll(async () => {
    await local?.stop();
    rmSync(dataRoot, { recursive: true, force: true });
  });

  it('keeps the log across a stop and start of every process', async () => {
    const cluster = `restart-${process.pid}`;
    local = await LocalCluster.start({ replicas: 3, minInsync: 2, dataRoot, cluster });
    let api = new ApiClient(local.api!.url);
    try {
      await api.waitReady();
      const run = await startWriters(api, {
        workers: 8,
        prefix: 'restart',
        maxMessages: 500,
      }).done();
      expect(run.acked()).toHaveLength(500);
      await local.stop();

      // Same data root, same cluster name, same etcd data: a cold start of everything.
      local = await LocalCluster.start({ replicas: 3, minInsync: 2, dataRoot, cluster });
      api = new ApiClient(local.api!.url);
      await api.waitReady();
      await expectAckedReadable(api, run.acked());
      expect(await api.append('after the restart')).toBe(500);
    } catch (error) {
      if (local) dumpOutput(local);
      throw error;
    }
  });
});
