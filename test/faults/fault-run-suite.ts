/**
 * The body of a randomized fault suite (faults.e2e-spec.ts, faults-retention.e2e-spec.ts): one
 * test that runs the faults with `config`, prints the report, and fails on any violation. A run
 * that outlives its test (Jest timed it out) is abandoned in afterAll, so its clients, nemesis
 * and processes stop and Jest can exit instead of waiting for them.
 */
import { runFaults, type FaultRunConfig, type FaultRunReport } from './run-faults';
import { FAULT_TMPFS_LABEL } from './fault-cluster';
import { leftoverMounts, unmountAll } from '../helpers/tmpfs';

export function faultRunSuite(title: string, config: FaultRunConfig): void {
  // Reading the log back costs about a quarter of the time the faults ran on this kind of machine.
  const budgetMs = Math.round(config.seconds * 1.5 + 150) * 1000;
  const abandon = new AbortController();
  let run: Promise<FaultRunReport> | undefined;
  afterAll(async () => {
    abandon.abort(new Error('the fault run outlived its test and was abandoned'));
    await run?.catch(() => undefined);
    // The cluster unmounts its tmpfs data directories when it stops; this catches a start that
    // failed half way. (An exit or a signal unmounts them too: test/helpers/tmpfs.ts.)
    unmountAll();
    expect(leftoverMounts(FAULT_TMPFS_LABEL)).toEqual([]);
  }, 60_000);

  it(
    `${title} under ${config.seconds} s of faults (seed ${config.seed})`,
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
      // Range readers that read nothing would prove nothing about GET /Data/Range.
      if (config.rangeReaders > 0) expect(report.check?.range.messages).toBeGreaterThan(0);
      // With retention the run must actually have deleted segments, or it proved nothing more.
      if (config.retentionBytes !== undefined) expect(report.check?.logStart).toBeGreaterThan(0);
      // Each filled disk must have bitten: its replica met ENOSPC and said so, then recovered.
      const fills = report.counts.get('disk-full') ?? 0;
      expect(report.diskReports.full).toBeGreaterThanOrEqual(fills);
      expect(report.diskReports.roomAgain).toBe(report.diskReports.full);
    },
    budgetMs,
  );
}
