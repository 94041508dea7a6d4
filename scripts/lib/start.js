'use strict';
/* global URL */
// `distilled start`: etcd, N replicas and the API as child processes of this one, their logs
// prefixed in this terminal, and a small HTTP control endpoint on 127.0.0.1 through which the
// other commands (add-replica, stop-replica, ...) ask this process to change the cluster, so
// every replica stays its child: its logs show here and Ctrl-C stops it.
const fs = require('node:fs');
const http = require('node:http');
const path = require('node:path');
const { ensureBuilt, ensureEtcd } = require('./prerequisites');
const { loadLauncher } = require('./load-launcher');
const { info, warn, alarm, fail, prefixed, paint, useColor } = require('./output');
const { writeState, removeState, runningCluster, stateFile } = require('./state');

const CLUSTER_NAME = 'distilled';

async function start(opts) {
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
  const launcher = loadLauncher();

  if (!(await launcher.isPortFree(opts.apiPort, opts.apiHost))) {
    fail(`port ${opts.apiPort} is busy; choose another one with --api-port`);
  }
  if (opts.fresh) {
    info(`--fresh: removing ${dataDir}`);
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
  fs.mkdirSync(dataDir, { recursive: true });

  let cluster;
  let stopping = false;
  const control = await startControlServer(() => cluster, saveState);

  function saveState() {
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
    cluster = await launcher.LocalCluster.start({
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
      // A person is watching: plain-text replica logs (JSON is for log shippers), coloured
      // when the terminal can show it.
      env: {
        DISTILLED_LOG_FORMAT: process.env.DISTILLED_LOG_FORMAT || 'text',
        ...(useColor() ? { NO_COLOR: undefined } : {}),
      },
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
    fail(`the cluster did not start: ${error.message}`);
  }
  saveState();

  const shutdown = once(async (signal) => {
    stopping = true;
    info(
      `${signal}: stopping the API, the replicas and etcd (if it hangs, Ctrl-C again to force)...`,
    );
    control.close();
    await cluster.stop();
    removeState(dataDir);
    info(`stopped. Data kept in ${dataDir} (\`distilled start --fresh\` wipes it).`);
    process.exit(0);
  });
  let firstSignalAt = 0;
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
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

  printSummary(cluster, dataDir, opts);
  noteLeftoverReplicas(dataDir, cluster);
  try {
    const leader = await cluster.waitForLeader(30_000);
    info(`${paint('green', 'ready')}: ${leader.id} is the leader`);
  } catch (error) {
    warn(`no leader yet (${error.message.split('\n')[0]}); the logs above should say why`);
  }
}

function printSummary(cluster, dataDir, opts) {
  const api = `http://localhost:${cluster.api.port}`;
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
    '',
    '  Try, from another terminal:',
    `    curl -s -XPOST ${api}/Data -H 'content-type: application/json' -d '{"message":"hello"}'`,
    `    curl -s '${api}/Data?offset=0'`,
    `    ${cliName()} status${dataFlag(opts)}`,
    `    ${cliName()} add-replica${dataFlag(opts)}      (a new replica joins and catches up)`,
    `    ${cliName()} kill-replica replica-1${dataFlag(opts)}`,
    '  Ctrl-C here stops everything.',
    '',
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

/** Replicas an earlier run added that this one did not start: say how to bring them back. */
function noteLeftoverReplicas(dataDir, cluster) {
  const started = new Set(cluster.replicas.map((r) => r.id));
  const leftover = fs
    .readdirSync(dataDir)
    .filter((name) => /^replica-\d+$/.test(name) && !started.has(name))
    .sort((a, b) => Number(a.slice(8)) - Number(b.slice(8)));
  if (leftover.length === 0) return;
  warn(
    `${leftover.join(', ')} from an earlier run ${leftover.length === 1 ? 'is' : 'are'} not started ` +
      `(data kept in ${dataDir}); \`add-replica\` starts ${leftover[0]} again with its log, ` +
      'or pass --replicas to start them all',
  );
}

function shortPath(file) {
  const relative = path.relative(process.cwd(), file);
  return relative && !relative.startsWith('..') ? relative : file;
}

const cliName = () => 'node scripts/distilled.js';
const dataFlag = (opts) => (opts.dataGiven ? ` --data ${opts.data}` : '');

function once(fn) {
  let called = false;
  return (...args) => {
    if (called) return undefined;
    called = true;
    return fn(...args);
  };
}

/**
 * 127.0.0.1-only HTTP endpoint for the other commands:
 *   GET  /state                    POST /replicas            (add one)
 *   POST /replicas/<id>/stop|kill|restart
 */
function startControlServer(getCluster, saveState) {
  const server = http.createServer(async (req, res) => {
    const send = (status, body) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    const cluster = getCluster();
    if (!cluster) return send(503, { error: 'the cluster is still starting' });
    const describe = (r) => ({ id: r.id, address: r.address, pid: r.pid, running: r.running });
    try {
      const url = new URL(req.url, 'http://control');
      if (req.method === 'GET' && url.pathname === '/state') {
        return send(200, { replicas: cluster.replicas.map(describe) });
      }
      if (req.method === 'POST' && url.pathname === '/replicas') {
        info('add-replica: starting a new replica');
        const replica = await cluster.addReplica();
        saveState();
        info(`${replica.id} started on ${replica.address}; it catches up, then joins the ISR`);
        return send(201, describe(replica));
      }
      const match = /^\/replicas\/([^/]+)\/(stop|kill|restart)$/.exec(url.pathname);
      if (req.method === 'POST' && match) {
        const replica = cluster.replica(decodeURIComponent(match[1]));
        const action = match[2];
        info(`${action}-replica ${replica.id}`);
        if (action === 'stop') await replica.stop();
        else if (action === 'kill') await replica.kill('SIGKILL');
        else await replica.restart();
        saveState();
        return send(200, describe(replica));
      }
      return send(404, { error: `no such control call: ${req.method} ${url.pathname}` });
    } catch (error) {
      return send(error.code === 'UNKNOWN_REPLICA' ? 404 : 500, { error: error.message });
    }
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      resolve({ url: `http://127.0.0.1:${port}`, close: () => server.close() });
    });
  });
}

module.exports = { start };
