'use strict';
/* global fetch, AbortSignal, URL, TextDecoderStream */
// The commands that talk to a cluster `distilled start` runs (from another terminal): they
// find it through data/cluster.json.
const { loadLauncher } = require('./load-launcher');
const { info, warn, fail, paint } = require('./output');
const { runningCluster } = require('./state');

function requireCluster(opts) {
  const state = runningCluster(opts.data);
  if (!state) {
    fail(
      `no running cluster found in ${opts.data} (no live data/cluster.json).\n` +
        'Start one with `npm start` (or `node scripts/distilled.js start`)' +
        (opts.dataGiven ? '' : ', or pass --data DIR if it was started with one') +
        '.',
    );
  }
  return state;
}

async function control(opts, method, path) {
  const state = requireCluster(opts);
  let res;
  try {
    res = await fetch(`${state.control}${path}`, { method, signal: AbortSignal.timeout(60_000) });
  } catch (error) {
    fail(`cannot reach the start process (pid ${state.pid}) at ${state.control}: ${error.message}`);
  }
  const body = await res.json().catch(() => ({}));
  if (!res.ok) fail(body.error);
  return body;
}

async function addReplica(opts) {
  const replica = await control(opts, 'POST', '/replicas');
  info(
    `${replica.id} is running on ${replica.address} (pid ${replica.pid}); its log shows in the start terminal`,
  );
}

async function replicaAction(opts, action, id) {
  if (!id) fail(`which replica? e.g. distilled ${action}-replica replica-1`);
  const replica = await control(opts, 'POST', `/replicas/${encodeURIComponent(id)}/${action}`);
  const done = { stop: 'stopped', kill: 'killed (SIGKILL)', restart: 'restarted' }[action];
  info(
    `${replica.id} ${done}${replica.running ? ` on ${replica.address}, pid ${replica.pid}` : ''}`,
  );
}

function apiUrl(opts) {
  if (opts.api) return opts.api.replace(/\/$/, '');
  const state = runningCluster(opts.data);
  return state?.api?.url ?? `http://127.0.0.1:${opts.apiPort}`;
}

async function status(opts) {
  const state = requireCluster(opts);
  const api = apiUrl(opts);
  process.stdout.write(`${paint('bold', 'API')} ${api}\n`);
  try {
    const res = await fetch(`${api}/Cluster`, { signal: AbortSignal.timeout(3000) });
    const body = await res.json().catch(() => ({}));
    if (res.ok) process.stdout.write(`  leader ${body.leader ?? 'none'}, epoch ${body.epoch}\n`);
    else
      process.stdout.write(
        `  GET /Cluster: ${res.status} ${body.title ?? ''} ${body.detail ?? ''}\n`,
      );
  } catch (error) {
    process.stdout.write(`  GET /Cluster failed: ${error.message}\n`);
  }

  // Each replica's own view (Replica.Status), which also works when the API is down.
  const { StatusClient } = loadLauncher();
  const client = new StatusClient();
  const rows = [
    ['REPLICA', 'ADDRESS', 'PID', 'ROLE', 'EPOCH', 'LEADER', 'IN ISR', 'LOG END', 'HW', 'NOTE'],
  ];
  for (const replica of state.replicas) {
    if (!replica.running) {
      rows.push([replica.id, replica.address, '-', 'stopped', '', '', '', '', '', '']);
      continue;
    }
    try {
      const s = await client.status(replica.address, 2000);
      rows.push([
        replica.id,
        replica.address,
        String(replica.pid),
        s.role,
        String(s.epoch),
        s.leader_id || '-',
        s.in_sync ? 'yes' : 'no',
        String(s.log_end_offset),
        String(s.high_watermark),
        s.problem || '',
      ]);
    } catch (error) {
      rows.push([
        replica.id,
        replica.address,
        String(replica.pid),
        'no answer',
        '',
        '',
        '',
        '',
        '',
        error.details || error.message,
      ]);
    }
  }
  client.close();
  const widths = rows[0].map((_, i) => Math.max(...rows.map((row) => row[i].length)));
  process.stdout.write(
    `${paint('bold', 'replicas')} (cluster "${state.cluster}", etcd ${state.etcd.endpoint})\n`,
  );
  for (const row of rows)
    process.stdout.write(`  ${row.map((cell, i) => cell.padEnd(widths[i])).join('  ')}\n`);
}

async function readStdinLines() {
  const chunks = [];
  for await (const chunk of process.stdin) chunks.push(chunk);
  return Buffer.concat(chunks)
    .toString('utf8')
    .split('\n')
    .filter((line) => line !== '');
}

async function produce(opts, messages) {
  if (messages.length === 0 && !process.stdin.isTTY) messages = await readStdinLines();
  if (messages.length === 0)
    fail('nothing to produce: distilled produce <message...> (or pipe lines in)');
  const api = apiUrl(opts);
  for (const message of messages) {
    const res = await request(`${api}/Data`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ message }),
    });
    const body = await res.json().catch(() => ({}));
    if (!res.ok) fail(problem(res, body));
    process.stdout.write(`${body.offset}\t${message}\n`);
  }
}

/** Pages through the log with GET /Data/Range; with --follow, follows it with GET /Data/Stream. */
async function consume(opts) {
  const api = apiUrl(opts);
  if (opts.follow) return follow(api, opts.from);
  let offset = opts.from;
  for (;;) {
    const res = await request(`${api}/Data/Range?offset=${offset}&limit=1000`);
    const body = await res.json().catch(() => ({}));
    if (!res.ok) fail(problem(res, body));
    if (body.messages.length === 0) return;
    for (const { offset: at, message } of body.messages) process.stdout.write(`${at}\t${message}\n`);
    offset = body.nextOffset;
  }
}

/**
 * Server-sent events from `offset` on, printed as they come. A dropped connection (an API
 * restart, a network blip) is reopened after a second with Last-Event-ID, as a browser's
 * EventSource does, so the output goes on without a gap or a repeat.
 */
async function follow(api, offset) {
  let lastId = null;
  for (;;) {
    const headers = lastId === null ? {} : { 'last-event-id': String(lastId) };
    try {
      const res = await fetch(`${api}/Data/Stream?offset=${offset}`, { headers });
      if (!res.ok) {
        const body = await res.json().catch(() => ({}));
        if (res.status < 500) fail(problem(res, body));
        throw new Error(problem(res, body));
      }
      let buffer = '';
      let id = null;
      let data = '';
      for await (const chunk of res.body.pipeThrough(new TextDecoderStream())) {
        buffer += chunk;
        let newline;
        while ((newline = buffer.indexOf('\n')) >= 0) {
          const line = buffer.slice(0, newline).replace(/\r$/, '');
          buffer = buffer.slice(newline + 1);
          if (line === '') {
            if (data !== '') {
              const event = JSON.parse(data);
              process.stdout.write(`${event.offset}\t${event.message}\n`);
              lastId = id === null ? event.offset : Number(id);
            }
            id = null;
            data = '';
          } else if (line.startsWith('id:')) id = line.slice(3).trim();
          else if (line.startsWith('data:')) data += line.slice(5).replace(/^ /, '');
        }
      }
      warn('the stream ended; reconnecting in 1 s');
    } catch (error) {
      warn(`the stream dropped (${error.cause?.message ?? error.message}); reconnecting in 1 s`);
    }
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
}

async function request(url, init = {}) {
  try {
    return await fetch(url, { ...init, signal: AbortSignal.timeout(30_000) });
  } catch (error) {
    fail(
      `cannot reach the API at ${url}: ${error.cause?.message ?? error.message}. Is the cluster running?`,
    );
  }
}

/** One line from an RFC 9457 problem answer (or whatever else came back). */
function problem(res, body) {
  const where = `${new URL(res.url).pathname}`;
  return `${where} answered ${res.status} ${body.title ?? res.statusText}${body.detail ? `: ${body.detail}` : ''}`;
}

function stop(opts) {
  const state = requireCluster(opts);
  process.kill(state.pid, 'SIGTERM');
  info(
    `asked the start process (pid ${state.pid}) to stop the cluster; its terminal shows the progress`,
  );
}

module.exports = { addReplica, replicaAction, status, produce, consume, stop };
