import { faultRunSuite } from './faults/fault-run-suite';
import { configFromEnv } from './faults/run-faults';

// The randomized fault-injection suite (see test/faults/): writers append through the API
// while a seeded nemesis kills, pauses, partitions and corrupts; afterwards every offset is
// read back from every replica and through the API and checked. The default is short, for
// `npm run test:e2e`; `npm run test:faults` runs it alone for longer. Replay a failure with
// DISTILLED_FAULTS_SEED=<the printed seed>.
describe('randomized faults', () => {
  faultRunSuite(
    'keeps every acknowledged write, without holes or duplicates,',
    configFromEnv({ seconds: 75 }),
  );
});
