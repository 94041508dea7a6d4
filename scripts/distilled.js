#!/usr/bin/env node
'use strict';
// The distilled command line: run a whole cluster on this machine and poke at it.
// Plain CommonJS so it runs straight after `npm ci`, without a build of its own.
const path = require('node:path');
const { parseArgs } = require('node:util');
const { DEFAULT_DATA } = require('./lib/paths');
const { fail } = require('./lib/output');

const HELP = `distilled: a replicated append-only log, run locally

Usage: distilled <command> [options]        (npm start = distilled start)

Running a cluster (in one terminal; Ctrl-C stops it all):
  start                 build if needed, then start etcd, the replicas and the API
    --replicas N          how many replicas (default 3): replica-1..N
    --min-insync N        replicas that must hold a message before it is acknowledged (default 1)
    --api-port PORT       HTTP API port (default 5000)
    --api-host HOST       HTTP API bind address (default 127.0.0.1)
    --base-port PORT      first replica gRPC port (default 50051; then 50052, ...; a free port
                          where one is busy)
    --etcd-port PORT      etcd client port (default 2379; peer port +1; free ones if busy)
    --fsync POLICY        always | interval | never (default always: acknowledged = on disk)
    --fresh               delete the data directory first (all messages are lost)
  stop                  stop the cluster that \`start\` runs (same as Ctrl-C in its terminal)

Changing the running cluster (from another terminal):
  add-replica           start one more replica (replica-N+1) with an empty log; it catches up
                        and joins the in-sync set
  stop-replica ID       stop a replica gracefully (SIGTERM); its data is kept
  kill-replica ID       kill a replica at once (SIGKILL), as a crash would
  restart-replica ID    start a stopped or killed replica again: same id, port and data

  These ask the \`start\` process (through a control endpoint on 127.0.0.1 recorded in
  <data>/cluster.json) to do it, so every replica stays its child: its output appears,
  prefixed, in the start terminal, and Ctrl-C there stops it too.

Using it:
  status                the leader, and each replica's role, epoch, ISR membership and offsets
  produce MESSAGE...    append each MESSAGE (or each line of stdin) and print its offset
  consume               print messages as "offset<TAB>message" until the end of the log
    --from N              first offset (default 0)
    --follow              follow the log live (server-sent events) instead of stopping at
                          the end; reconnects by itself, resuming after the last message

Options for every command:
  --data DIR            data directory (default: ${path.relative(process.cwd(), DEFAULT_DATA) || DEFAULT_DATA}): every replica's log, etcd's
                        data and cluster.json; kept across restarts
  --api URL             API base URL for produce/consume/status (default: the running
                        cluster's, else http://127.0.0.1:5000)
  -h, --help            this text

Examples:
  npm start -- --replicas 5
  node scripts/distilled.js produce hello world
  node scripts/distilled.js consume --from 0
  node scripts/distilled.js kill-replica replica-1 && node scripts/distilled.js status
`;

const OPTIONS = {
  replicas: { type: 'string' },
  'min-insync': { type: 'string' },
  'api-port': { type: 'string' },
  'api-host': { type: 'string' },
  'base-port': { type: 'string' },
  'etcd-port': { type: 'string' },
  fsync: { type: 'string' },
  fresh: { type: 'boolean' },
  data: { type: 'string' },
  api: { type: 'string' },
  from: { type: 'string' },
  follow: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
};

function integer(values, name, fallback, min) {
  const raw = values[name];
  if (raw === undefined) return fallback;
  if (!/^\d+$/.test(raw) || Number(raw) < min || !Number.isSafeInteger(Number(raw))) {
    fail(`--${name} must be a whole number >= ${min}, not "${raw}"`);
  }
  return Number(raw);
}

async function main(argv) {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
  } catch (error) {
    fail(`${error.message}\nRun \`distilled --help\` for the commands and options.`);
  }
  const { values, positionals } = parsed;
  const [command, ...rest] = positionals;
  if (values.help || !command || command === 'help') {
    process.stdout.write(HELP);
    return;
  }
  const fsync = values.fsync ?? 'always';
  if (!['always', 'interval', 'never'].includes(fsync)) {
    fail(`--fsync must be always, interval or never, not "${fsync}"`);
  }
  const opts = {
    data: path.resolve(values.data ?? DEFAULT_DATA),
    dataGiven: values.data !== undefined,
    replicas: integer(values, 'replicas', 3, 1),
    minInsync: integer(values, 'min-insync', 1, 1),
    apiPort: integer(values, 'api-port', 5000, 1),
    apiHost: values['api-host'] ?? '127.0.0.1',
    basePort: integer(values, 'base-port', 50051, 1),
    etcdPort: integer(values, 'etcd-port', 2379, 1),
    fsync,
    fresh: !!values.fresh,
    api: values.api,
    from: integer(values, 'from', 0, 0),
    follow: !!values.follow,
  };
  if (opts.minInsync > opts.replicas) {
    fail(
      `--min-insync ${opts.minInsync} is more than --replicas ${opts.replicas}: no write could ever commit`,
    );
  }

  const commands = require('./lib/commands');
  switch (command) {
    case 'start':
      return require('./lib/start').start(opts);
    case 'stop':
      return commands.stop(opts);
    case 'add-replica':
      return commands.addReplica(opts);
    case 'stop-replica':
      return commands.replicaAction(opts, 'stop', rest[0]);
    case 'kill-replica':
      return commands.replicaAction(opts, 'kill', rest[0]);
    case 'restart-replica':
      return commands.replicaAction(opts, 'restart', rest[0]);
    case 'status':
      return commands.status(opts);
    case 'produce':
      return commands.produce(opts, rest);
    case 'consume':
      return commands.consume(opts);
    default:
      fail(`unknown command "${command}". Run \`distilled --help\` for the list.`);
  }
}

main(process.argv.slice(2)).catch((error) => fail(error.stack ?? String(error)));
