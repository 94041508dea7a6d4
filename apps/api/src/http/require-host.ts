// HTTP/1.1 requires a Host header (RFC 9112 3.2). Node enforces it with an empty 400; the API
// turns that off (connection-limits.ts) and refuses the request here instead, so the answer
// is problem+json like every other refusal.
import type { FastifyInstance } from 'fastify';
import { badRequest } from '../problems';

export function requireHost(instance: FastifyInstance): void {
  instance.addHook('onRequest', (request, reply, done) => {
    if (request.raw.httpVersion === '1.1' && request.headers.host === undefined) {
      // As Node would: a client that omits Host may mis-frame what follows, so end there.
      void reply.header('connection', 'close');
      done(
        badRequest(
          400,
          'Bad Request',
          'An HTTP/1.1 request must carry a Host header (RFC 9112); send one, such as "Host: localhost:5000".',
        ),
      );
      return;
    }
    done();
  });
}
