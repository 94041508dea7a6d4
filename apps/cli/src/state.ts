// data/cluster.json: how commands in other terminals find the cluster `distilled start` runs
// (its control address, the API URL, every process and port). Written by the start process
// after every change, removed when it stops.
import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface ReplicaState {
  id: string;
  address: string;
  pid?: number;
  running: boolean;
  dataDir?: string;
}

export interface ClusterState {
  pid: number;
  /** Base URL of the start process's control endpoint. */
  control: string;
  cluster: string;
  dataDir: string;
  etcd: { endpoint: string; pid?: number; dataDir?: string };
  api?: { url: string; pid?: number; running: boolean };
  /** start --tls: the CA and the certificate every process (and `status`) uses. */
  tls?: { ca: string; cert: string; key: string };
  replicas: ReplicaState[];
  updatedAt: string;
}

export const stateFile = (dataDir: string): string => join(dataDir, 'cluster.json');

export function writeState(dataDir: string, state: ClusterState): void {
  const file = stateFile(dataDir);
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(state, null, 2)}\n`);
  renameSync(tmp, file); // atomic: a reader never sees half a file
}

function readState(dataDir: string): ClusterState | undefined {
  try {
    return JSON.parse(readFileSync(stateFile(dataDir), 'utf8')) as ClusterState;
  } catch {
    return undefined;
  }
}

export function removeState(dataDir: string): void {
  rmSync(stateFile(dataDir), { force: true });
}

function isAlive(pid: number | undefined): boolean {
  if (!pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The state of the running cluster in `dataDir`, or undefined (a stale file is ignored). */
export function runningCluster(dataDir: string): ClusterState | undefined {
  const state = readState(dataDir);
  return state && isAlive(state.pid) ? state : undefined;
}
