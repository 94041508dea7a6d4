import { setTimeout as sleep } from 'node:timers/promises';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LauncherError } from './errors';
import { canConnect } from './managed-process';
import { ReplicaProcess, type ReplicaProcessOptions } from './replica-process';

const FAKE = join(__dirname, '__fixtures__', 'fake-app.js');

/** The state letter of /proc/<pid>/stat: R, S, T (stopped), Z... */
function procState(pid: number): string {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2)[0];
}

describe('ReplicaProcess', () => {
  let root: string;
  const started: ReplicaProcess[] = [];

  function replica(options: Partial<ReplicaProcessOptions> = {}): ReplicaProcess {
    const r = new ReplicaProcess({
      id: 'replica-1',
      etcd: 'http://127.0.0.1:1',
      cluster: 'spec',
      dataDir: join(root, 'replica-1'),
      script: FAKE,
      stopTimeoutMs: 2000,
      readyTimeoutMs: 10_000,
      ...options,
    });
    started.push(r);
    return r;
  }

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'launcher-spec-'));
  });

  afterEach(async () => {
    await Promise.all(started.splice(0).map((r) => r.kill()));
    rmSync(root, { recursive: true, force: true });
  });

  describe('start', () => {
    it('passes the contract environment and waits for the gRPC port', async () => {
      const lines: string[] = [];
      const r = replica({
        minInsync: 2,
        fsync: 'never',
        env: { FAKE_X: 'y' },
        onOutput: (l) => lines.push(l),
      });
      await r.start();
      expect(r.running).toBe(true);
      expect(r.pid).toEqual(expect.any(Number));
      expect(r.grpcPort).toBeGreaterThan(0);
      expect(r.address).toBe(`127.0.0.1:${r.grpcPort}`);
      expect(await canConnect('127.0.0.1', r.grpcPort)).toBe(true);
      const envLine = r.outputLines().find((l) => l.startsWith('env '));
      expect(JSON.parse(envLine!.slice(4))).toEqual({
        DISTILLED_ETCD: 'http://127.0.0.1:1',
        DISTILLED_CLUSTER: 'spec',
        DISTILLED_NODE_ID: 'replica-1',
        DISTILLED_GRPC_HOST: '127.0.0.1',
        DISTILLED_GRPC_PORT: String(r.grpcPort),
        DISTILLED_ADVERTISE: r.address,
        DISTILLED_DATA_DIR: join(root, 'replica-1'),
        DISTILLED_MIN_INSYNC: '2',
        DISTILLED_FSYNC: 'never',
        FAKE_X: 'y',
      });
      // The port opens in listen() and the line is printed in its callback: the line may reach
      // us a moment after start() saw the port.
      for (let i = 0; i < 100 && !lines.includes('fake replica listening'); i++) {
        await sleep(20);
      }
      expect(lines).toContain('fake replica listening');
    });

    it('fails with the process output when it exits before it is ready', async () => {
      const r = replica({ env: { FAKE_EXIT_CODE: '3' } });
      const error = await r.start().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(LauncherError);
      expect((error as LauncherError).code).toBe('EXITED_EARLY');
      expect((error as LauncherError).message).toContain('exited with code 3');
      expect((error as LauncherError).message).toContain('invalid configuration, giving up');
      expect(r.running).toBe(false);
    });

    it('says to build when the script is missing', async () => {
      const r = replica({ script: join(root, 'nope.js') });
      await expect(r.start()).rejects.toMatchObject({ code: 'NOT_BUILT' });
    });

    it('refuses to start twice', async () => {
      const r = replica();
      await r.start();
      await expect(r.start()).rejects.toMatchObject({ code: 'ALREADY_RUNNING' });
    });
  });

  describe('kill', () => {
    it('SIGKILLs and resolves on exit, reported as expected', async () => {
      const r = replica();
      await r.start();
      const exits: unknown[] = [];
      r.onExit((info) => exits.push(info));
      const info = await r.kill();
      expect(info).toEqual({ code: null, signal: 'SIGKILL', expected: true });
      expect(r.running).toBe(false);
      expect(r.pid).toBeUndefined();
      expect(exits).toEqual([info]);
    });

    it('reports a crash nobody asked for as unexpected', async () => {
      const r = replica();
      await r.start();
      const crashed = new Promise((resolve) => r.onExit(resolve));
      process.kill(r.pid!, 'SIGKILL');
      expect(await crashed).toEqual({ code: null, signal: 'SIGKILL', expected: false });
    });
  });

  describe('stop', () => {
    it('sends SIGTERM and lets the process shut down', async () => {
      const r = replica();
      await r.start();
      const info = await r.stop();
      expect(info).toEqual({ code: 0, signal: null, expected: true });
      expect(r.outputLines(1)).toEqual(['fake: SIGTERM, shutting down']);
    });

    it('escalates to SIGKILL when SIGTERM is ignored', async () => {
      const r = replica({ env: { FAKE_IGNORE_SIGTERM: '1' } });
      await r.start();
      const info = await r.stop(300);
      expect(info?.signal).toBe('SIGKILL');
    });

    it('stops a paused process', async () => {
      const r = replica();
      await r.start();
      r.pause();
      expect(await r.stop()).toEqual({ code: 0, signal: null, expected: true });
    });

    it('is a no-op when not running', async () => {
      await expect(replica().stop()).resolves.toBeUndefined();
    });
  });

  describe('pause and resume', () => {
    it('SIGSTOPs and SIGCONTs the process', async () => {
      const r = replica();
      await r.start();
      r.pause();
      await sleep(100);
      expect(r.isPaused).toBe(true);
      expect(procState(r.pid!)).toBe('T');
      r.resume();
      await sleep(100);
      expect(r.isPaused).toBe(false);
      expect(procState(r.pid!)).not.toBe('T');
    });
  });

  describe('restart', () => {
    it('comes back with the same id, port and data directory', async () => {
      const r = replica();
      await r.start();
      const { pid, grpcPort, address } = r;
      await r.restart();
      expect(r.pid).not.toBe(pid);
      expect(r.grpcPort).toBe(grpcPort);
      expect(r.address).toBe(address);
      const listening = () => r.outputLines().filter((l) => l === 'fake replica listening');
      for (let i = 0; i < 100 && listening().length < 2; i++) {
        await sleep(20);
      }
      expect(listening()).toHaveLength(2);
    });

    it('starts a killed replica again', async () => {
      const r = replica();
      await r.start();
      await r.kill();
      await r.restart();
      expect(r.running).toBe(true);
    });
  });

  it('keeps only the last N output lines', async () => {
    const r = replica({ outputLines: 2 });
    await r.start();
    await r.stop();
    expect(r.outputLines()).toEqual(['fake replica listening', 'fake: SIGTERM, shutting down']);
  });
});
