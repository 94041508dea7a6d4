// `distilled --help`: every command and flag, with the defaults.
import { relative } from 'node:path';
import { DEFAULT_DATA } from './paths';

export function helpText(): string {
  const data = relative(process.cwd(), DEFAULT_DATA) || DEFAULT_DATA;
  return `distilled: a replicated append-only log, run locally

Usage: distilled <command> [options]        (npm start = distilled start)

Running a cluster (in one terminal; Ctrl-C stops it all):
  start                 build if needed, then start etcd, the replicas and the API
    --replicas N          how many replicas (default 3): replica-1..N
    --min-insync N        replicas that must hold a message before it is acknowledged (default 1)
    --api-port PORT       HTTP API port (default 5000)
    --api-host HOST       HTTP API bind address (default 127.0.0.1)
    --api-keys-file FILE  run the API with these API keys (DISTILLED_API_KEYS_FILE: one
                          "<name> <read,write> <secret>" per line); without it, open
    --base-port PORT      first replica gRPC port (default 50051; then 50052, ...; a free port
                          where one is busy)
    --etcd-port PORT      etcd client port (default 2379; peer port +1; free ones if busy)
    --fsync POLICY        always | interval | never (default always: acknowledged = on disk)
    --retention-bytes N   keep about N bytes of log per replica; older whole segments are
                          deleted (default: keep everything)
    --retention-ms N      delete whole segments last written more than N ms ago (default: keep)
    --segment-bytes N     segment size in bytes (default 64 MiB; at least 65536)
    --tls                 HTTPS for the API and mutual TLS for gRPC, with a throwaway CA
                          made by openssl in <data>/tls (kept and reused across starts)
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
    --batch N             send N messages per request (POST /Data/Batch, stored atomically)
    --key K               Idempotency-Key K-<n> on request n (per message, or per batch with
                          --batch), and retry a 503, 504 or lost connection with it: never twice
  consume               print messages as "offset<TAB>message" until the end of the log
    --from N              first offset (default 0)
    --follow              follow the log live (server-sent events) instead of stopping at
                          the end; reconnects by itself, resuming after the last message

Options for every command:
  --data DIR            data directory (default: ${data}): every replica's log, etcd's
                        data and cluster.json; kept across restarts
  --api URL             API base URL for produce/consume/status (default: the running
                        cluster's, else http://127.0.0.1:5000)
  -h, --help            this text

Environment:
  DISTILLED_API_KEY     the API key produce, consume and status send (as a Bearer token)
                        to an API that runs with keys

Examples:
  npm start -- --replicas 5
  node scripts/distilled.js produce hello world
  seq 1000 | node scripts/distilled.js produce --batch 100 --key import-42
  node scripts/distilled.js consume --from 0
  node scripts/distilled.js kill-replica replica-1 && node scripts/distilled.js status
`;
}
