import { EtcdProcess } from '@distilled/launcher';
import { Etcd3 } from 'etcd3';
import type { ClusterOptions } from '../src/cluster.interface';
import { createEtcdClient } from '../src/etcd.provider';
import type { ClusterLogger } from '../src/logger';

/** Logs into an array, so specs stay quiet and can assert on what an operator would read. */
export class MemoryLogger implements ClusterLogger {
  readonly lines: string[] = [];
  log(message: unknown): void {
    this.lines.push(`log: ${String(message)}`);
  }
  warn(message: unknown): void {
    this.lines.push(`warn: ${String(message)}`);
  }
  error(message: unknown): void {
    this.lines.push(`error: ${String(message)}`);
  }
}

let counter = 0;
/** A cluster name no other test uses, so tests can share one etcd. */
export function uniqueCluster(prefix = 't'): string {
  return `${prefix}-${process.pid}-${Date.now().toString(36)}-${++counter}`;
}

/** One real etcd per spec file plus the clients a test opened (closed by closeClients()). */
export class EtcdFixture {
  readonly etcd = new EtcdProcess();
  private clients: Etcd3[] = [];

  async start(): Promise<void> {
    await this.etcd.start();
  }

  async stop(): Promise<void> {
    this.closeClients();
    await this.etcd.stop();
  }

  options(cluster = uniqueCluster(), leaseTtlSeconds = 2): ClusterOptions {
    return { endpoints: [this.etcd.endpoint], cluster, leaseTtlSeconds };
  }

  client(): Etcd3 {
    const client = createEtcdClient({ endpoints: [this.etcd.endpoint] });
    this.clients.push(client);
    return client;
  }

  closeClients(): void {
    for (const client of this.clients) client.close();
    this.clients = [];
  }
}

/** Polls until `check` returns a value other than undefined/false, or fails after timeoutMs. */
export async function waitFor<T>(
  what: string,
  check: () => T | undefined | false | Promise<T | undefined | false>,
  timeoutMs = 5_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
