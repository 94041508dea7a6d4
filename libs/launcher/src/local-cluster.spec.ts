import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isPortFree } from './free-port';
import { LocalCluster } from './local-cluster';
import type { LocalClusterOptions } from './local-cluster-options';
import type { ExitInfo } from './managed-process';

// The fake app stands in for both dist scripts, so these specs test the launcher, not the apps.
const FAKE = join(__dirname, '__fixtures__', 'fake-app.js');
const NO_ETCD = 'http://127.0.0.1:1';

describe('LocalCluster', () => {
  const clusters: LocalCluster[] = [];
  async function start(options: LocalClusterOptions): Promise<LocalCluster> {
    const cluster = await LocalCluster.start({
      serverScript: FAKE,
      apiScript: FAKE,
      etcdEndpoint: NO_ETCD,
      stopTimeoutMs: 2000,
      ...options,
    });
    clusters.push(cluster);
    return cluster;
  }

  afterEach(async () => {
    await Promise.all(clusters.splice(0).map((c) => c.stop()));
  });

  describe('start', () => {
    it('starts replica-1..N and the API with one cluster name and etcd endpoint', async () => {
      const c = await start({ replicas: 2, minInsync: 2, fsync: 'interval' });
      expect(c.replicas.map((r) => r.id)).toEqual(['replica-1', 'replica-2']);
      expect(c.replicas.every((r) => r.running)).toBe(true);
      expect(c.api?.running).toBe(true);
      expect(c.etcd).toBeUndefined();
      expect(c.etcdEndpoint).toBe(NO_ETCD);
      const env = JSON.parse(
        c.replicas[1]
          .outputLines()
          .find((l) => l.startsWith('env '))!
          .slice(4),
      );
      expect(env).toMatchObject({
        DISTILLED_CLUSTER: c.cluster,
        DISTILLED_ETCD: NO_ETCD,
        DISTILLED_DATA_DIR: join(c.dataRoot, 'replica-2'),
        DISTILLED_MIN_INSYNC: '2',
        DISTILLED_FSYNC: 'interval',
      });
    });

    it('gives every cluster its own name and temporary data root', async () => {
      const [a, b] = await Promise.all([
        start({ replicas: 1, api: false }),
        start({ replicas: 1, api: false }),
      ]);
      expect(a.cluster).not.toBe(b.cluster);
      expect(a.dataRoot).not.toBe(b.dataRoot);
      expect(a.api).toBeUndefined();
    });

    it('puts replicas on consecutive ports from basePort, skipping busy ones', async () => {
      const blocker = await start({ replicas: 1, api: false });
      const busy = blocker.replicas[0].grpcPort;
      const c = await start({ replicas: 2, api: false, basePort: busy - 1 });
      const [first, second] = c.replicas.map((r) => r.grpcPort);
      // busy - 1 may itself be taken by something else on this machine; then both are free ports.
      if (first === busy - 1) expect(second).not.toBe(busy);
      expect(second).not.toBe(busy);
    });

    it('stops what it started when a process fails to start', async () => {
      const root = mkdtempSync(join(tmpdir(), 'launcher-spec-'));
      const exits: string[] = [];
      try {
        const failing = LocalCluster.start({
          onExit: (p, info) => exits.push(`${p.name} ${info.expected ? 'stopped' : 'crashed'}`),
          serverScript: FAKE,
          apiScript: FAKE,
          etcdEndpoint: NO_ETCD,
          dataRoot: root,
          replicas: 2,
          apiEnv: { FAKE_EXIT_CODE: '1' },
        });
        await expect(failing).rejects.toMatchObject({ code: 'EXITED_EARLY' });
        expect(exits.sort()).toEqual(['api crashed', 'replica-1 stopped', 'replica-2 stopped']);
      } finally {
        rmSync(root, { recursive: true, force: true });
      }
    });
  });

  describe('replica and addReplica', () => {
    it('adds replica-(N+1) with an empty data directory', async () => {
      const c = await start({ replicas: 2, api: false });
      const added = await c.addReplica();
      expect(added.id).toBe('replica-3');
      expect(added.running).toBe(true);
      expect(added.dataDir).toBe(join(c.dataRoot, 'replica-3'));
      expect(c.replica('replica-3')).toBe(added);
      expect(() => c.replica('replica-9')).toThrow(/no replica "replica-9"/);
    });
  });

  describe('waitForLeader and waitForIsr', () => {
    it('returns the replica every running replica names as leader', async () => {
      const c = await start({
        replicas: 3,
        api: false,
        replicaEnv: { FAKE_LEADER: 'replica-2', FAKE_ISR: 'replica-1,replica-2,replica-3' },
      });
      expect((await c.waitForLeader(5000)).id).toBe('replica-2');
      expect((await c.status('replica-1')).leader_id).toBe('replica-2');
      const leader = await c.waitForIsr(['replica-3', 'replica-2', 'replica-1'], 5000);
      expect(leader.id).toBe('replica-2');
      await expect(c.waitForIsr(['replica-1'], 300)).rejects.toMatchObject({ code: 'TIMEOUT' });
      await expect(c.waitForIsr(['replica-1'], 1000, { exact: false })).resolves.toBeDefined();
    });

    it('times out, saying what it saw, while nobody leads', async () => {
      const c = await start({ replicas: 1, api: false });
      await expect(c.waitForLeader(300)).rejects.toThrow(/replica-1: starting/);
    });

    it('ignores paused replicas', async () => {
      const c = await start({ replicas: 2, api: false, replicaEnv: { FAKE_LEADER: 'replica-1' } });
      c.replica('replica-2').pause();
      expect((await c.waitForLeader(5000)).id).toBe('replica-1');
    });
  });

  describe('stop', () => {
    it('stops every process, reports the exits as expected and removes its temp dir', async () => {
      const exits: Array<[string, ExitInfo]> = [];
      const c = await start({ replicas: 2, onExit: (p, info) => exits.push([p.name, info]) });
      const ports = c.replicas.map((r) => r.grpcPort);
      await c.stop();
      await c.stop();
      expect(c.replicas.some((r) => r.running)).toBe(false);
      expect(c.api?.running).toBe(false);
      expect(existsSync(c.dataRoot)).toBe(false);
      expect(exits.map(([name]) => name).sort()).toEqual(['api', 'replica-1', 'replica-2']);
      expect(exits.every(([, info]) => info.expected)).toBe(true);
      for (const port of ports) expect(await isPortFree(port)).toBe(true);
    });

    it('keeps a given data root', async () => {
      const root = mkdtempSync(join(tmpdir(), 'launcher-spec-'));
      try {
        const c = await start({ replicas: 1, api: false, dataRoot: root });
        await c.stop();
        expect(existsSync(join(root, 'replica-1'))).toBe(true);
      } finally {
        rmSync(root, { recursive: true, force: true });
      }
    });

    it('reports a crash as unexpected', async () => {
      let crashed: (name: string) => void = () => undefined;
      const crash = new Promise<string>((resolve) => (crashed = resolve));
      const c = await start({
        replicas: 1,
        api: false,
        onExit: (p, info) => !info.expected && crashed(p.name),
      });
      process.kill(c.replicas[0].pid!, 'SIGKILL');
      expect(await crash).toBe('replica-1');
    });
  });

  describe('with a real etcd', () => {
    it('starts its own etcd, points the processes at it and stops it', async () => {
      const c = await start({ replicas: 1, etcdEndpoint: undefined });
      expect(c.etcd?.running).toBe(true);
      expect(c.etcdEndpoint).toBe(c.etcd?.endpoint);
      expect((await fetch(`${c.etcdEndpoint}/health`)).ok).toBe(true);
      await c.stop();
      expect(c.etcd?.running).toBe(false);
    });
  });
});
