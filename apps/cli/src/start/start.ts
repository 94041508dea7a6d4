// `distilled start`: etcd, N replicas and the API as child processes of this one, their logs
// prefixed in this terminal, and a small HTTP control endpoint on 127.0.0.1 through which the
// other commands (add-replica, stop-replica, ...) ask this process to change the cluster, so
// every replica stays its child: its logs show here and Ctrl-C stops it.
import { existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describeError } from '@distilled/common';
import {
  LocalCluster,
  isPortFree,
  throwawayClusterTls,
  type ClusterTlsFiles,
} from '@distilled/launcher';
import type { CliOptions } from '../cli-options';
import { alarm, fail, info, paint, prefixed, useColor, warn } from '../output';
import { removeState, runningCluster, stateFile, writeState } from '../state';
import { startControlServer } from './control-server';
import { ensureBuilt, ensureEtcd } from './prerequisites';

const CLUSTER_NAME = 'distilled';

export async function start(opts: CliOptions): Promise<void> {
  const dataDir = opts.data;
  const already = runningCluster(dataDir);
  if (already) {
    fail(
      `a cluster is already running from ${dataDir} (pid ${already.pid}, API ${already.api?.url}).\n` +
        'Stop it first: Ctrl-C in its terminal, or `distilled stop`.',
    );
  }
  // DISTILLED_SERVER_SCRIPT / DISTILLED_API_SCRIPT run other builds (or the launcher's fake app,
  // to test this CLI without the real apps); then there is nothing for us to build.
  const serverScript = process.env.DISTILLED_SERVER_SCRIPT;
  const apiScript = process.env.DISTILLED_API_SCRIPT;
  if (!serverScript || !apiScript) ensureBuilt();
  ensureEtcd();

  if (!(await isPortFree(opts.apiPort, opts.apiHost))) {
    fail(`port ${opts.apiPort} is busy; choose another one with --api-port`);
  }
  if (opts.fresh) {
    info(`--fresh: removing ${dataDir}`);
    rmSync(dataDir, { recursive: true, force: true });
  }
  mkdirSync(dataDir, { recursive: true });
  const tls = opts.tls ? await clusterTls(dataDir) : undefined;

  let cluster: LocalCluster | undefined;
  let stopping = false;
  const control = await startControlServer(() => cluster, saveState);

  function saveState(): void {
    if (!cluster || stopping) return;
    writeState(dataDir, {
      pid: process.pid,
      control: control.url,
      cluster: cluster.cluster,
      dataDir,
      etcd: {
        endpoint: cluster.etcdEndpoint,
        pid: cluster.etcd?.pid,
        dataDir: cluster.etcd?.dataDir,
      },
      api: cluster.api && {
        url: cluster.api.url,
        pid: cluster.api.pid,
        running: cluster.api.running,
      },
      tls,
      replicas: cluster.replicas.map((r) => ({
        id: r.id,
        address: r.address,
        pid: r.pid,
        running: r.running,
        dataDir: r.dataDir,
      })),
      updatedAt: new Date().toISOString(),
    });
  }

  info(`starting etcd, ${opts.replicas} replica(s) and the API; data in ${dataDir}`);
  try {
    cluster = await LocalCluster.start({
      replicas: opts.replicas,
      minInsync: opts.minInsync,
      fsync: opts.fsync,
      dataRoot: dataDir,
      cluster: CLUSTER_NAME,
      serverScript,
      apiScript,
      basePort: opts.basePort,
      etcdClientPort: opts.etcdPort,
      etcdPeerPort: opts.etcdPort + 1,
      apiHost: opts.apiHost,
      apiPort: opts.apiPort,
      tls,
      apiEnv: opts.apiKeysFile ? { DISTILLED_API_KEYS_FILE: opts.apiKeysFile } : undefined,
      // A person is watching: plain-text replica logs (JSON is for log shippers), coloured
      // when the terminal can show it.
      env: {
        DISTILLED_LOG_FORMAT: process.env.DISTILLED_LOG_FORMAT || 'text',
        ...(useColor() ? { NO_COLOR: undefined } : {}),
      },
      replicaEnv: retentionEnv(opts),
      onOutput: prefixed,
      onExit: (child, exit) => {
        saveState();
        if (stopping) return;
        const how = exit.signal ? `killed by ${exit.signal}` : `exited with code ${exit.code}`;
        if (exit.expected) {
          info(`${child.name} stopped (${how}), as asked`);
          return;
        }
        alarm(
          `${child.name} CRASHED (${how}). The rest of the cluster keeps running.\n` +
            `Its last output:\n  ${child.outputLines(15).join('\n  ')}\n` +
            (child.name === 'api'
              ? ''
              : `Start it again with: distilled restart-replica ${child.name}`),
        );
      },
    });
  } catch (error) {
    control.close();
    fail(`the cluster did not start: ${describeError(error)}`);
  }
  const running = cluster;
  saveState();

  let shuttingDown = false;
  const shutdown = async (signal: string): Promise<void> => {
    if (shuttingDown) return;
    shuttingDown = true;
    stopping = true;
    info(
      `${signal}: stopping the API, the replicas and etcd (if it hangs, Ctrl-C again to force)...`,
    );
    control.close();
    await running.stop();
    removeState(dataDir);
    info(`stopped. Data kept in ${dataDir} (\`distilled start --fresh\` wipes it).`);
    process.exit(0);
  };
  let firstSignalAt = 0;
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.on(signal, () => {
      // npm forwards the terminal's Ctrl-C, so one keypress can arrive twice at once.
      if (!firstSignalAt) {
        firstSignalAt = Date.now();
        void shutdown(signal);
      } else if (Date.now() - firstSignalAt > 3000) {
        warn('forced: killing every process now');
        process.exit(130); // the launcher's exit hook SIGKILLs the children
      }
    });
  }

  printSummary(running, dataDir, opts, tls);
  noteLeftoverReplicas(dataDir, running);
  try {
    const leader = await running.waitForLeader(30_000);
    info(`${paint('green', 'ready')}: ${leader.id} is the leader`);
  } catch (error) {
    warn(`no leader yet (${describeError(error).split('\n')[0]}); the logs above should say why`);
  }
}

function shortPath(file: string): string {
  const path = relative(process.cwd(), file);
  return path && !path.startsWith('..') ? path : file;
}

const CLI_NAME = 'node scripts/distilled.js';

/**
 * start --tls: the CA and certificate in <data>/tls, made with openssl on the first start and
 * reused after, so clients that trust the CA keep working across restarts.
 */
async function clusterTls(dataDir: string): Promise<ClusterTlsFiles> {
  const dir = join(dataDir, 'tls');
  const files = {
    ca: join(dir, 'distilled-ca.pem'),
    cert: join(dir, 'localhost.pem'),
    key: join(dir, 'localhost.key'),
  };
  if (Object.values(files).every((file) => existsSync(file))) {
    info(`--tls: using the CA and certificate in ${dir}`);
    return files;
  }
  info(
    `--tls: making a throwaway CA and a certificate for localhost/127.0.0.1 in ${dir} (openssl)`,
  );
  try {
    return await throwawayClusterTls(dir);
  } catch (error) {
    fail(`--tls: ${describeError(error)}`);
  }
}

function printSummary(
  cluster: LocalCluster,
  dataDir: string,
  opts: CliOptions,
  tls: ClusterTlsFiles | undefined,
): void {
  const api = `${tls ? 'https' : 'http'}://localhost:${cluster.api?.port}`;
  const data = opts.dataGiven ? ` --data ${opts.data}` : '';
  const auth = opts.apiKeysFile ? ` -H "Authorization: Bearer $DISTILLED_API_KEY"` : '';
  const cacert = tls ? ` --cacert ${shortPath(tls.ca)}` : '';
  const trust = tls ? `NODE_EXTRA_CA_CERTS=${shortPath(tls.ca)} ` : '';
  const lines = [
    '',
    paint('bold', 'Distilled is running'),
    `  API        ${api}`,
    `  Swagger    ${api}/docs`,
    `  Console    ${api}/ui`,
    `  etcd       ${cluster.etcdEndpoint} (cluster prefix "${cluster.cluster}")`,
    '  replicas',
    ...cluster.replicas.map((r) => `    ${r.id.padEnd(12)} ${r.address.padEnd(18)} pid ${r.pid}`),
    `  data       ${shortPath(dataDir)} (the running cluster: ${shortPath(stateFile(dataDir))})`,
    ...(tls
      ? [
          `  TLS        HTTPS only; gRPC mutual TLS. CA ${shortPath(tls.ca)} (browsers: import it, or accept the warning)`,
        ]
      : []),
    ...(opts.apiKeysFile
      ? [
          `  API keys   ${shortPath(opts.apiKeysFile)} (set DISTILLED_API_KEY for the commands below)`,
        ]
      : []),
    '',
    '  Try, from another terminal:',
    `    curl -s${cacert} -XPOST ${api}/Data -H 'content-type: application/json'${auth} -d '{"message":"hello"}'`,
    `    curl -s${cacert}${auth} '${api}/Data?offset=0'`,
    `    ${trust}${CLI_NAME} status${data}`,
    `    ${CLI_NAME} add-replica${data}      (a new replica joins and catches up)`,
    `    ${CLI_NAME} kill-replica replica-1${data}`,
    '  Ctrl-C here stops everything.',
    '',
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

/** Replicas an earlier run added that this one did not start: say how to bring them back. */
function noteLeftoverReplicas(dataDir: string, cluster: LocalCluster): void {
  const started = new Set(cluster.replicas.map((r) => r.id));
  const leftover = readdirSync(dataDir)
    .filter((name) => /^replica-\d+$/.test(name) && !started.has(name))
    .sort((a, b) => Number(a.slice(8)) - Number(b.slice(8)));
  if (leftover.length === 0) return;
  warn(
    `${leftover.join(', ')} from an earlier run ${leftover.length === 1 ? 'is' : 'are'} not started ` +
      `(data kept in ${dataDir}); \`add-replica\` starts ${leftover[0]} again with its log, ` +
      'or pass --replicas to start them all',
  );
}

/** --retention-bytes, --retention-ms and --segment-bytes as the replicas' variables. */
function retentionEnv(opts: CliOptions): Record<string, string | undefined> {
  const env: Record<string, string | undefined> = {};
  if (opts.retentionBytes !== undefined)
    env.DISTILLED_RETENTION_BYTES = String(opts.retentionBytes);
  if (opts.retentionMs !== undefined) env.DISTILLED_RETENTION_MS = String(opts.retentionMs);
  if (opts.segmentBytes !== undefined) env.DISTILLED_SEGMENT_BYTES = String(opts.segmentBytes);
  return env;
}
