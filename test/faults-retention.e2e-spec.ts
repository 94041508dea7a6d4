import { configFromEnv, runFaults, type FaultRunReport } from './faults/run-faults';

// The randomized fault suite once more, short, with retention on (64 KiB segments, 256 KiB per
// replica): segments are deleted on every replica while replicas are killed, paused, added and
// wiped. The checker accepts a 410 only for offsets below the leader's final log start and
// requires everything above it, as in the plain run. `npm run test:faults -- --retention-bytes
// 262144` runs it longer.
const config = {
  ...configFromEnv({ seconds: 30 }),
  retentionBytes: Number(process.env.DISTILLED_FAULTS_RETENTION_BYTES ?? 256 * 1024),
};
const budgetMs = Math.round(config.seconds * 1.5 + 150) * 1000;

describe('randomized faults with retention on', () => {
  const abandon = new AbortController();
  let run: Promise<FaultRunReport> | undefined;
  afterAll(async () => {
    abandon.abort(new Error('the fault run outlived its test and was abandoned'));
    await run?.catch(() => undefined);
  }, 60_000);

  it(
    `keeps every acknowledged write above the log start under ${config.seconds} s of faults (seed ${config.seed})`,
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
