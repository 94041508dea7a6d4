// A stand-in for dist/apps/{server,api}/main.js in the launcher's own specs, so they run
// without the real apps. As a replica (DISTILLED_GRPC_PORT set) it serves Replica.Status from
// FAKE_LEADER / FAKE_ISR; as the API (DISTILLED_API_PORT set) it answers GET /health.
// FAKE_EXIT_CODE: print a line and exit at once. FAKE_IGNORE_SIGTERM: survive SIGTERM.
'use strict';
const http = require('node:http');

const env = process.env;
console.log(`fake starting ${env.DISTILLED_NODE_ID ?? 'api'}`);
console.log(
  `env ${JSON.stringify(Object.fromEntries(Object.entries(env).filter(([k]) => k.startsWith('DISTILLED_') || k.startsWith('FAKE_'))))}`,
);
if (env.FAKE_EXIT_CODE) {
  console.error('fake: invalid configuration, giving up');
  process.exit(Number(env.FAKE_EXIT_CODE));
}

let close = (done) => done();
if (env.DISTILLED_GRPC_PORT) {
  const grpc = require('@grpc/grpc-js');
  const loader = require('@grpc/proto-loader');
  const path = require('node:path');
  const def = loader.loadSync(
    path.join(__dirname, '../../../proto/src/distilled/v1/distilled.proto'),
    {
      keepCase: true,
      longs: Number,
      enums: String,
      defaults: true,
      oneofs: true,
    },
  );
  const pkg = grpc.loadPackageDefinition(def).distilled.v1;
  const server = new grpc.Server();
  const unimplemented = (_call, cb) => cb({ code: grpc.status.UNIMPLEMENTED });
  server.addService(pkg.Replica.service, {
    Append: unimplemented,
    Read: unimplemented,
    Status: (_call, cb) => {
      const id = env.DISTILLED_NODE_ID;
      const leader = env.FAKE_LEADER ?? '';
      cb(null, {
        id,
        address: env.DISTILLED_ADVERTISE,
        role: leader === id ? 'leader' : leader ? 'follower' : 'starting',
        epoch: 1,
        leader_id: leader,
        leader_address: '',
        isr: (env.FAKE_ISR ?? '').split(',').filter(Boolean),
        in_sync: true,
        log_end_offset: 0,
        high_watermark: 0,
        problem: '',
      });
    },
  });
  server.bindAsync(
    `${env.DISTILLED_GRPC_HOST}:${env.DISTILLED_GRPC_PORT}`,
    grpc.ServerCredentials.createInsecure(),
    (err) => {
      if (err) throw err;
      console.log('fake replica listening');
    },
  );
  close = (done) => server.tryShutdown(done);
} else if (env.DISTILLED_API_PORT) {
  const server = http.createServer((req, res) => {
    res.statusCode = req.url === '/health' ? 200 : 404;
    res.end('{}');
  });
  server.listen(Number(env.DISTILLED_API_PORT), env.DISTILLED_API_HOST, () =>
    console.log('fake api listening'),
  );
  close = (done) => server.close(done);
}

process.on('SIGTERM', () => {
  if (env.FAKE_IGNORE_SIGTERM) return console.log('fake: ignoring SIGTERM');
  console.log('fake: SIGTERM, shutting down');
  close(() => process.exit(0));
});
setInterval(() => undefined, 1000);
