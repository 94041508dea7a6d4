import { faultRunSuite } from './faults/fault-run-suite';
import { configFromEnv } from './faults/run-faults';

// The randomized fault suite once more, short, with retention on (64 KiB segments, 64 KiB per
// replica, so a short run deletes): segments are deleted on every replica while replicas are
// killed, paused, added and wiped. The checker accepts a 410 only for offsets below the leader's
// final log start and requires everything above it, as in the plain run; SSE followers that
// reconnect below the start get 410 and go on from the start it names, gapless from there.
// `npm run test:faults -- --retention-bytes 65536` runs it longer.
describe('randomized faults with retention on', () => {
  const config = configFromEnv({ seconds: 30 });
  faultRunSuite('keeps every acknowledged write above the log start', {
    ...config,
    retentionBytes: config.retentionBytes ?? 64 * 1024,
  });
});
