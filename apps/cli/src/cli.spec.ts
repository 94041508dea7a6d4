import { setTimeout as sleep } from 'node:timers/promises';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, repoRoot } from '@distilled/launcher';

// The CLI end to end through its entry point (scripts/distilled.js, what `npm start` and
// `npx distilled` run), with the launcher's fake app standing in for the built apps: the start
// process, and the commands other terminals use against it.
const CLI = join(repoRoot(), 'scripts', 'distilled.js');
const FAKE = join(repoRoot(), 'libs', 'launcher', 'src', '__fixtures__', 'fake-app.js');
const env = {
  ...process.env,
  DISTILLED_SERVER_SCRIPT: FAKE,
  DISTILLED_API_SCRIPT: FAKE,
  FAKE_LEADER: 'replica-1',
  NO_COLOR: '1',
};

// Every CLI run transpiles the CLI from source (about half a second of CPU), which takes many
// seconds on a busy machine: more than the default 30 s for a test that runs it nine times.
jest.setTimeout(300_000);

function cli(...args: string[]): { status: number | null; out: string } {
  const run = spawnSync(process.execPath, [CLI, ...args], {
    env,
    encoding: 'utf8',
    timeout: 60_000, // a busy machine: see above
  });
  return { status: run.status, out: run.stdout + run.stderr };
}

describe('scripts/distilled.js', () => {
  let data: string;
  let starter: ChildProcess | undefined;
  let output = '';

  beforeAll(() => {
    data = mkdtempSync(join(tmpdir(), 'distilled-cli-'));
  });

  afterAll(async () => {
    if (starter && starter.exitCode === null) {
      starter.kill('SIGKILL');
      await new Promise((resolve) => starter!.once('exit', resolve));
    }
    rmSync(data, { recursive: true, force: true });
  });

  async function waitForOutput(text: string, timeoutMs = 20_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!output.includes(text)) {
      if (Date.now() > deadline) throw new Error(`no "${text}" in the output:\n${output}`);
      await sleep(50);
    }
  }

  it('explains itself', () => {
    const { status, out } = cli('--help');
    expect(status).toBe(0);
    expect(out).toContain('add-replica');
    expect(cli('frobnicate').out).toContain('unknown command "frobnicate"');
    expect(cli('start', '--replicas', 'many').out).toContain('--replicas must be a whole number');
  });

  it('says there is no cluster when none runs', () => {
    const { status, out } = cli('status', '--data', data);
    expect(status).toBe(1);
    expect(out).toContain('no running cluster found');
  });

  it('starts a cluster, changes it from outside and stops it', async () => {
    const ports = await Promise.all([freePort(), freePort(), freePort()]);
    const [apiPort, etcdPort, basePort] = ports.map(String);
    starter = spawn(
      process.execPath,
      [
        CLI,
        'start',
        '--replicas',
        '2',
        '--data',
        data,
        '--api-port',
        apiPort,
        '--etcd-port',
        etcdPort,
        '--base-port',
        basePort,
      ],
      { env },
    );
    starter.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    starter.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    await waitForOutput('ready: replica-1 is the leader');
    expect(output).toContain(`API        http://localhost:${apiPort}`);
    expect(output).toMatch(/\[replica-2\] +fake replica listening/);
    const state = JSON.parse(readFileSync(join(data, 'cluster.json'), 'utf8'));
    expect(state.replicas.map((r: { id: string }) => r.id)).toEqual(['replica-1', 'replica-2']);

    expect(cli('start', '--data', data).out).toContain('a cluster is already running');

    const added = cli('add-replica', '--data', data);
    expect(added.out).toContain('replica-3 is running');
    await waitForOutput('[replica-3]');

    expect(cli('kill-replica', 'replica-2', '--data', data).out).toContain('replica-2 killed');
    expect(cli('stop-replica', 'nope', '--data', data).out).toContain('no replica "nope"');

    const status = cli('status', '--data', data);
    expect(status.out).toMatch(/replica-1 .* leader/);
    expect(status.out).toMatch(/replica-2 .* stopped/);
    expect(status.out).toMatch(/replica-3 .* follower/);

    expect(cli('stop', '--data', data).status).toBe(0);
    await new Promise((resolve) => starter!.once('exit', resolve));
    expect(starter.exitCode).toBe(0);
    expect(output).toContain('stopped. Data kept in');
    expect(existsSync(join(data, 'cluster.json'))).toBe(false);
    expect(existsSync(join(data, 'replica-3'))).toBe(true);
  });
});
