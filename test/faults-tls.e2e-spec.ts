import { faultRunSuite } from './faults/fault-run-suite';
import { configFromEnv } from './faults/run-faults';

// The randomized fault suite once more, short (30 s), with TLS on: the API serves HTTPS only and
// every gRPC connection (API to replica, replica to replica, the suite's own direct reads) is
// mutual TLS under a throwaway CA, which the writers, the reader and the SSE followers trust. The
// faults and the checks are the plain run's: reconnecting through TLS handshakes after every
// kill, pause and partition must lose, duplicate or reorder nothing.
describe('randomized faults with TLS on', () => {
  faultRunSuite('keeps every acknowledged write over HTTPS and mutual TLS', {
    ...configFromEnv({ seconds: 30 }),
    tls: true,
  });
});
