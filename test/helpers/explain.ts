import type { LocalCluster } from '@distilled/launcher';

/**
 * Runs an e2e scenario; when it fails, prints each replica's last output lines before the
 * error, so a red run says what the processes were doing.
 */
export async function explain<T>(cluster: LocalCluster, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    for (const replica of cluster.replicas) {
      process.stderr.write(`--- ${replica.id}\n${replica.outputLines(40).join('\n')}\n`);
    }
    throw error;
  }
}
