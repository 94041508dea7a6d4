'use strict';
/**
 * The HTTP ceiling of the suite: a bare Fastify server (no Nest, no validation beyond Fastify's
 * JSON body parser, no replication, no disk) answering the same calls as the API from memory:
 *   POST /Data {"message": s}   -> 201 {"offset": n}, n counting up
 *   GET  /Data?offset=n         -> 200 {"message": <last message of that size>, "offset": n}
 * Run as its own process (the suite spawns it) so it does not share the load generator's event
 * loop. Prints {"port": p} on stdout once it listens; exits on SIGTERM or when stdin closes.
 * With --lean-bind=<file.js> it first applies the API's Node 20 fix, which Fastify's body parsing
 * gains from as much: <file.js> is apps/api/src/http/lean-async-resource-bind.ts transpiled by
 * the suite, so this process loads neither ts-node (which loads Node's `repl`, and with it
 * `domain`, slowing every EventEmitter) nor TypeScript (tens of MB of heap): nothing the stock
 * ceiling does not carry.
 */
const leanBind = process.argv.find((arg) => arg.startsWith('--lean-bind='));
if (leanBind) {
  require(leanBind.slice('--lean-bind='.length)).useLeanAsyncResourceBind();
}
const Fastify = require('fastify');

async function main() {
  const app = Fastify({ logger: false, bodyLimit: 2 * 1024 * 1024 });
  let next = 0;
  let last = '';
  app.post('/Data', async (request, reply) => {
    last = request.body.message;
    reply.code(201);
    return { offset: next++ };
  });
  app.get('/Data', async (request) => {
    return { message: last, offset: Number(request.query.offset) };
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  process.stdout.write(JSON.stringify({ port: app.server.address().port }) + '\n');
  const stop = () => app.close().then(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.stdin.on('end', stop);
  process.stdin.resume();
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
