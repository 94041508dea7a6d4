/** Why the launcher gave up; `code` is stable for callers that branch on it. */
export type LauncherErrorCode =
  'NOT_BUILT' | 'EXITED_EARLY' | 'NOT_READY' | 'TIMEOUT' | 'UNKNOWN_REPLICA' | 'ALREADY_RUNNING';

/**
 * The one error type of libs/launcher. Messages carry the last lines the process printed,
 * because "replica-2 exited with code 1" alone sends people digging for logs.
 */
export class LauncherError extends Error {
  override readonly name = 'LauncherError';

  constructor(
    readonly code: LauncherErrorCode,
    message: string,
  ) {
    super(message);
  }

  static notBuilt(script: string): LauncherError {
    return new LauncherError(
      'NOT_BUILT',
      `${script} does not exist: build the apps first ("npm run build")`,
    );
  }

  static exitedEarly(name: string, how: string, tail: string[]): LauncherError {
    return new LauncherError(
      'EXITED_EARLY',
      `${name} ${how} before it was ready${formatTail(tail)}`,
    );
  }

  static notReady(name: string, what: string, timeoutMs: number, tail: string[]): LauncherError {
    return new LauncherError(
      'NOT_READY',
      `${name} did not become ready (${what}) within ${timeoutMs} ms${formatTail(tail)}`,
    );
  }

  static timeout(what: string, timeoutMs: number, lastSeen: string): LauncherError {
    return new LauncherError('TIMEOUT', `${what} not reached within ${timeoutMs} ms; ${lastSeen}`);
  }

  static unknownReplica(id: string, known: string[]): LauncherError {
    return new LauncherError(
      'UNKNOWN_REPLICA',
      `no replica "${id}" in this cluster (known: ${known.join(', ') || 'none'})`,
    );
  }

  static alreadyRunning(name: string, pid: number | undefined): LauncherError {
    return new LauncherError('ALREADY_RUNNING', `${name} is already running (pid ${pid})`);
  }
}

function formatTail(tail: string[]): string {
  if (tail.length === 0) return ' (it printed nothing)';
  return `; its last output:\n  ${tail.join('\n  ')}`;
}
