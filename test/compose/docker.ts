import { spawn } from 'node:child_process';
import { join } from 'node:path';

/**
 * The docker and docker-compose commands the compose test drives, each bounded by a timeout
 * so a stuck engine fails the run instead of hanging it. The runner and the fault suite share
 * one project (the test's own name, so a user's `distilled` project is never touched),
 * described by environment variables the runner sets (`composeFromEnv`).
 */

export const ROOT = join(__dirname, '..', '..');

export interface RunOptions {
  timeoutMs?: number;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Print the command's output as it runs (long steps: builds, debootstrap). */
  echo?: boolean;
}

/** Runs a command; resolves with its stdout, rejects with its exit status and last output. */
export function run(command: string, args: string[], options: RunOptions = {}): Promise<string> {
  const timeoutMs = options.timeoutMs ?? 60_000;
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd ?? ROOT,
      env: options.env ?? process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      if (options.echo) process.stdout.write(chunk);
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      if (options.echo) process.stderr.write(chunk);
    });
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(new Error(`${command} could not start: ${error.message}`));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) return resolve(stdout);
      const why = timedOut ? `timed out after ${timeoutMs} ms` : `exited with ${code ?? signal}`;
      const tail = (stderr || stdout).trim().split('\n').slice(-15).join('\n');
      reject(new Error(`${command} ${args.join(' ')} ${why}${tail ? `:\n${tail}` : ''}`));
    });
  });
}

export const docker = (args: string[], options?: RunOptions) => run('docker', args, options);

/** What `docker inspect` says about one container (the fields the tests read). */
export interface ContainerInfo {
  Id: string;
  Name: string;
  Config: { Hostname: string; User: string; Env: string[]; Labels: Record<string, string> };
  State: {
    Status: string;
    Running: boolean;
    Paused: boolean;
    ExitCode: number;
    Health?: { Status: string; Log: { Output: string }[] };
  };
  HostConfig: { PortBindings: Record<string, { HostIp: string; HostPort: string }[]> | null };
  RestartCount: number;
}

export async function inspect(ids: string[]): Promise<ContainerInfo[]> {
  if (ids.length === 0) return [];
  return JSON.parse(await docker(['inspect', ...ids])) as ContainerInfo[];
}

/** One compose project: the repository's docker-compose.yml under the test's project name. */
export class Compose {
  constructor(
    readonly project: string,
    readonly env: NodeJS.ProcessEnv,
  ) {}

  /** docker-compose with this project's name, file and variables. */
  run(args: string[], options: RunOptions = {}): Promise<string> {
    return run(
      'docker-compose',
      ['--project-name', this.project, '--file', join(ROOT, 'docker-compose.yml'), ...args],
      { ...options, env: { ...process.env, ...this.env, ...options.env } },
    );
  }

  /** The containers of a service (all states), inspected. */
  async containers(service: string): Promise<ContainerInfo[]> {
    const ids = (await this.run(['ps', '--all', '-q', service])).split('\n').filter(Boolean);
    return inspect(ids);
  }

  /** The replica container whose node id (its host name) is `nodeId`. */
  async replica(nodeId: string): Promise<ContainerInfo> {
    const found = (await this.containers('distilled-server')).find(
      (c) => c.Config.Hostname === nodeId,
    );
    if (!found) throw new Error(`no distilled-server container has host name ${nodeId}`);
    return found;
  }

  /** The last lines of every container of the project: what a failure needs to be understood. */
  async logs(lines = 40): Promise<string> {
    return this.run(['logs', '--no-color', `--tail=${lines}`], { timeoutMs: 30_000 });
  }
}

/** The project the runner started, as the fault suite finds it in its environment. */
export function composeFromEnv(): { compose: Compose; apiUrl: string } {
  const project = process.env.DISTILLED_COMPOSE_PROJECT;
  const apiUrl = process.env.DISTILLED_E2E_URL;
  if (!project || !apiUrl) {
    throw new Error(
      'DISTILLED_COMPOSE_PROJECT and DISTILLED_E2E_URL are unset: run this suite with `npm run test:compose`',
    );
  }
  return { compose: new Compose(project, {}), apiUrl };
}
