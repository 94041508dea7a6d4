// The image's HEALTHCHECK: healthy means ready, not merely running.
//   node docker/healthcheck.js server   a replica that leads or follows and refuses nothing
//                                       (Status over gRPC: not "starting", no `problem`)
//   node docker/healthcheck.js api      GET /health/ready: a leader is known and takes writes
// Exit 0 = healthy, 1 = not; one line on stdout says why (`docker inspect` shows it).
'use strict';

const TIMEOUT_MS = 2500;
const kind = process.argv[2] ?? 'server';

function verdict(ok, why) {
  process.stdout.write(`${why}\n`);
  process.exit(ok ? 0 : 1);
}

function checkApi() {
  const port = process.env.DISTILLED_API_PORT ?? '5000';
  fetch(`http://127.0.0.1:${port}/health/ready`, { signal: AbortSignal.timeout(TIMEOUT_MS) })
    .then(async (res) => verdict(res.ok, `${res.status} ${await res.text()}`))
    .catch((error) => verdict(false, `no answer: ${error.message}`));
}

function checkServer() {
  const path = require('node:path');
  const grpc = require('@grpc/grpc-js');
  const protoLoader = require('@grpc/proto-loader');
  const proto = path.join(__dirname, '../dist/apps/server/proto/distilled/v1/distilled.proto');
  const definition = protoLoader.loadSync(proto, { keepCase: true, defaults: true });
  const { Replica } = grpc.loadPackageDefinition(definition).distilled.v1;
  const port = process.env.DISTILLED_GRPC_PORT ?? '50051';
  const client = new Replica(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
  client.Status({}, { deadline: Date.now() + TIMEOUT_MS }, (error, status) => {
    if (error) return verdict(false, `Status failed: ${error.message}`);
    if (status.problem) return verdict(false, `refuses to serve: ${status.problem}`);
    if (status.role !== 'leader' && status.role !== 'follower') {
      return verdict(false, `not ready: role "${status.role}"`);
    }
    verdict(true, `${status.role}, epoch ${status.epoch}, in sync ${status.in_sync}`);
  });
}

if (kind === 'api') checkApi();
else if (kind === 'server') checkServer();
else verdict(false, `unknown check "${kind}" (server or api)`);
