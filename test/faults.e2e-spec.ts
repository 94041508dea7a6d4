import { configFromEnv, runFaults, type FaultRunReport } from './faults/run-faults';

// The randomized fault-injection suite (see test/faults/): writers append through the API
// while a seeded nemesis kills, pauses, partitions and corrupts; afterwards every offset is
// read back from every replica and through the API and checked. The default is short, for
// `npm run test:e2e`; `npm run test:faults` runs it alone for longer. Replay a failure with
// DISTILLED_FAULTS_SEED=<the printed seed>.
const config = configFromEnv({ seconds: 75 });
// Reading the log back costs about a quarter of the time the faults ran on this kind of machine.
const budgetMs = Math.round(config.seconds * 1.5 + 150) * 1000;

describe('randomized faults', () => {
  // A run that outlives the test (Jest timed it out) is abandoned here, so its clients, nemesis
  // and processes stop and Jest can exit instead of waiting for them.
  const abandon = new AbortController();
  let run: Promise<FaultRunReport> | undefined;
  afterAll(async () => {
    abandon.abort(new Error('the fault run outlived its test and was abandoned'));
    await run?.catch(() => undefined);
  }, 60_000);

  it(
    `keeps every acknowledged write, without holes or duplicates, under ${config.seconds} s of faults (seed ${config.seed})`,
    async () => {
      let report: FaultRunReport;
      try {
        run = runFaults(config, abandon.signal);
        report = await run;
      } catch (error) {
        const failed = (error as { report?: FaultRunReport }).report;
        if (failed?.failure) process.stdout.write(`${failed.failure}\n`);
        throw error;
      }
      process.stdout.write(`${report.summary}\n`);
      if (report.failure) process.stdout.write(`${report.failure}\n`);
      expect(report.violations.map((v) => `${v.kind}: ${v.detail}`).slice(0, 10)).toEqual([]);
      expect(report.check?.ackedChecked).toBeGreaterThan(0);
    },
    budgetMs,
  );
});
