import { setTimeout as sleep } from 'node:timers/promises';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { connect } from 'node:net';
import { LauncherError } from './errors';
import { OutputBuffer } from './output-buffer';
import { dieWithParent } from './parent-death';
import { registerChild } from './process-registry';
import { repoRoot } from './repo-root';

/** How a process ended. `expected` is false for a crash: nobody here asked it to stop. */
export interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
  expected: boolean;
}

/** Environment for a child: a value of `undefined` removes an inherited variable. */
export type ProcessEnv = Record<string, string | undefined>;

export interface ManagedProcessOptions {
  /** The Node script to run, e.g. dist/apps/server/main.js. */
  script: string;
  /** Extra environment on top of this process's own, applied last. */
  env?: ProcessEnv;
  /** Arguments for node itself (before the script), e.g. ['--enable-source-maps']. */
  nodeArgs?: string[];
  /**
   * A command that runs node, e.g. `['ip', 'netns', 'exec', 'ns1']` to put the process in a
   * network namespace. It must exec node in place (keep the PID), since kill, pause and
   * resume signal the PID the launcher spawned.
   */
  wrapper?: string[];
  /** Working directory; the repository root by default. */
  cwd?: string;
  /** How many output lines to keep (default 1000). */
  outputLines?: number;
  /** Called with every output line (stdout and stderr), e.g. to print it with a prefix. */
  onOutput?: (line: string) => void;
  /** How long stop() waits after SIGTERM before it sends SIGKILL (default 10 s). */
  stopTimeoutMs?: number;
  /** How long start() waits for readiness (default 30 s). */
  readyTimeoutMs?: number;
}

export interface StartOptions {
  /** Wait until the process serves (port open / health answers). Default true. */
  waitReady?: boolean;
}

/**
 * A Node child process under test control: start, SIGKILL, graceful stop, SIGSTOP/SIGCONT and
 * restart, with its output kept in a ring buffer and crashes reported through onExit.
 * Subclasses say which script and environment, and what "ready" means.
 */
export abstract class ManagedProcess {
  /** Used in messages and log prefixes ("replica-1", "api"). */
  abstract readonly name: string;
  /** The last lines the process printed, across restarts. */
  readonly output: OutputBuffer;
  /** How the previous run ended, once it has. */
  lastExit?: ExitInfo;

  private child?: ChildProcess;
  private exited?: Promise<ExitInfo>;
  private paused = false;
  private stopping = false;
  private readonly exitListeners = new Set<(info: ExitInfo) => void>();

  protected constructor(protected readonly baseOptions: ManagedProcessOptions) {
    this.output = new OutputBuffer(baseOptions.outputLines ?? 1000, baseOptions.onOutput);
  }

  /** The running child's PID, undefined when it is not running. */
  get pid(): number | undefined {
    return this.running ? this.child?.pid : undefined;
  }

  /** True from spawn until exit (a paused process is still running). */
  get running(): boolean {
    return !!this.child && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** True between pause() and resume(). */
  get isPaused(): boolean {
    return this.running && this.paused;
  }

  /** The environment the script gets, on top of the launcher's own. */
  protected abstract childEnv(): ProcessEnv;

  /** Resolves once the process serves; rejects if it does not within `timeoutMs`. */
  protected abstract waitUntilReady(timeoutMs: number): Promise<void>;

  /** Called before every spawn (e.g. to create the data directory). */
  protected prepare(): void {}

  /** Spawns the process and, unless told otherwise, waits until it is ready. */
  async start(options: StartOptions = {}): Promise<void> {
    if (this.running) throw LauncherError.alreadyRunning(this.name, this.child?.pid);
    const { script } = this.baseOptions;
    if (!existsSync(script)) throw LauncherError.notBuilt(script);
    this.prepare();

    const env: NodeJS.ProcessEnv = { ...process.env };
    for (const [key, value] of Object.entries({ ...this.childEnv(), ...this.baseOptions.env })) {
      if (value === undefined) delete env[key];
      else env[key] = value;
    }
    const [command, ...args] = dieWithParent([
      ...(this.baseOptions.wrapper ?? []),
      process.execPath,
      ...(this.baseOptions.nodeArgs ?? []),
      script,
    ]);
    const child = spawn(command, args, {
      cwd: this.baseOptions.cwd ?? repoRoot(),
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
      // Its own process group: a Ctrl-C in the terminal reaches only the launcher, which then
      // stops the children itself, in order (API first), instead of all of them at once.
      detached: true,
    });
    registerChild(child);
    this.child = child;
    this.paused = false;
    this.stopping = false;
    child.stdout?.on('data', (chunk: Buffer) => this.output.write(chunk));
    child.stderr?.on('data', (chunk: Buffer) => this.output.write(chunk));
    this.exited = new Promise<ExitInfo>((resolve) => {
      // 'close' (not 'exit') so the last output lines are in the buffer before anyone hears.
      child.once('close', (code: number | null, signal: NodeJS.Signals | null) => {
        this.output.flush();
        const info: ExitInfo = { code, signal, expected: this.stopping };
        this.lastExit = info;
        this.paused = false;
        resolve(info);
        for (const listener of this.exitListeners) listener(info);
      });
    });
    // A spawn failure (e.g. ENOENT for node itself) also ends in 'close'; keep it from throwing.
    child.once('error', () => undefined);

    if (options.waitReady === false) return;
    try {
      await this.waitUntilReady(this.baseOptions.readyTimeoutMs ?? 30_000);
    } catch (error) {
      // Never leave a half-started process behind a failed start().
      await this.kill('SIGKILL');
      throw error;
    }
  }

  /** Sends `signal` (SIGKILL by default) and resolves when the process has exited. */
  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<ExitInfo | undefined> {
    if (!this.running || !this.child) return this.exited;
    this.stopping = true;
    this.child.kill(signal);
    // A stopped process only acts on SIGTERM/SIGINT once it runs again.
    if (this.paused && signal !== 'SIGKILL') this.child.kill('SIGCONT');
    return this.exited;
  }

  /** Graceful stop: SIGTERM, then SIGKILL if it has not exited after `timeoutMs`. */
  async stop(timeoutMs = this.baseOptions.stopTimeoutMs ?? 10_000): Promise<ExitInfo | undefined> {
    if (!this.running || !this.child) return this.exited;
    const child = this.child;
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    try {
      return await this.kill('SIGTERM');
    } finally {
      clearTimeout(timer);
    }
  }

  /** SIGSTOP: the process freezes with its sockets open, like a long GC pause or a hung VM. */
  pause(): void {
    if (!this.running || !this.child) return;
    this.child.kill('SIGSTOP');
    this.paused = true;
  }

  /** SIGCONT after pause(). */
  resume(): void {
    if (!this.running || !this.child) return;
    this.child.kill('SIGCONT');
    this.paused = false;
  }

  /** Stops the process if it runs (gracefully) and starts it again with the same settings. */
  async restart(options: StartOptions = {}): Promise<void> {
    await this.stop();
    await this.start(options);
  }

  /** Calls `listener` every time the process exits; returns a function that unsubscribes. */
  onExit(listener: (info: ExitInfo) => void): () => void {
    this.exitListeners.add(listener);
    return () => this.exitListeners.delete(listener);
  }

  /** Resolves when the current run exits (at once if it is not running). */
  async waitForExit(timeoutMs?: number): Promise<ExitInfo | undefined> {
    if (!this.running || timeoutMs === undefined) return this.exited;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(LauncherError.timeout(`${this.name} exit`, timeoutMs, 'it is still running')),
        timeoutMs,
      );
    });
    try {
      return await Promise.race([this.exited, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** The last `count` output lines (all that are kept when omitted). */
  outputLines(count?: number): string[] {
    const lines = this.output.snapshot();
    return count === undefined ? lines : lines.slice(-count);
  }

  /**
   * Polls `probe` until it returns true; fails fast, with the process's last words, if the
   * process exits meanwhile.
   */
  protected async pollUntil(
    what: string,
    timeoutMs: number,
    probe: () => Promise<boolean>,
  ): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (!this.running) {
        const exit = await this.exited;
        const how = exit?.signal
          ? `was killed by ${exit.signal}`
          : `exited with code ${exit?.code}`;
        throw LauncherError.exitedEarly(this.name, how, this.outputLines(20));
      }
      if (await probe()) return;
      if (Date.now() >= deadline) {
        throw LauncherError.notReady(this.name, what, timeoutMs, this.outputLines(20));
      }
      await sleep(100);
    }
  }
}

/** Whether something accepts TCP connections on host:port. */
export function canConnect(host: string, port: number, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}
