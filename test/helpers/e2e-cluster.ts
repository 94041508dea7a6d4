import { LocalCluster, type LocalClusterOptions } from '@distilled/launcher';
import { ReplicaClientPool, type ReadBatchResponse, type ReadResponse } from '@distilled/proto';
import { ApiClient } from './api-client';

/**
 * The cluster an e2e suite runs against: by default one the launcher composes on free ports
 * (etcd, replicas, the API as child processes); with DISTILLED_E2E_URL set, an already running
 * one (e.g. docker-compose) that only the suites without process control can use.
 */
export interface E2eCluster {
  api: ApiClient;
  /** The launcher's handles; undefined against an external cluster. */
  local?: LocalCluster;
  stop(): Promise<void>;
}

export const externalUrl = process.env.DISTILLED_E2E_URL;

export async function startE2eCluster(options: LocalClusterOptions = {}): Promise<E2eCluster> {
  if (externalUrl) {
    const api = new ApiClient(externalUrl.replace(/\/$/, ''));
    await api.waitReady();
    return { api, stop: async () => undefined };
  }
  const local = await LocalCluster.start({ replicas: 3, ...options, keepData: false });
  const api = new ApiClient(local.api!.url);
  try {
    await api.waitReady(30_000);
  } catch (error) {
    dumpOutput(local);
    await local.stop();
    throw error;
  }
  return { api, local, stop: () => local.stop() };
}

/** Prints the last lines of every process: what a failing test needs to be understood. */
export function dumpOutput(local: LocalCluster, lines = 40): void {
  const processes = [...local.replicas, ...(local.api ? [local.api] : [])];
  for (const child of processes) {
    const tail = child.output.snapshot().slice(-lines).join('\n');
    process.stderr.write(`----- last output of ${child.name} -----\n${tail}\n`);
  }
}

/** Clients of the replicas, for reads that bypass the API. */
const clients = new ReplicaClientPool();

/** Replica.Read straight from one replica, bypassing the API. */
export function readFromReplica(address: string, offset: number): Promise<ReadResponse> {
  return clients.get(address).read(offset, Date.now() + 5_000);
}

/** Replica.ReadBatch straight from one replica: point reads of many offsets in one call. */
export function readBatchFromReplica(
  address: string,
  offsets: number[],
): Promise<ReadBatchResponse> {
  return clients.get(address).readBatch(offsets, Date.now() + 30_000);
}

/** Closes the cached replica clients (call in afterAll). */
export function closeReplicaClients(): void {
  clients.closeAll();
}
