/**
 * The JetStream peer inside `npm run bench`: started once next to the Distilled cluster, then
 * measured in every round right after the matching Distilled row, so each ratio compares two
 * figures taken seconds apart on the same loaded machine. Single-message rows (sync publish,
 * direct get) are folded into the suite's table; the batched and bulk-read rows (both
 * systems) are kept and printed here. `--no-peers` leaves all of it out.
 */
import { closedLoop, type LoopResult } from '../lib/closed-loop';
import { OffsetRange } from '../lib/targets';
import { fmtInt, fmtMs, fmtPct, median, WARM_UP_LABEL } from '../lib/stats';
import { BatchWorkers, drainRange, hasBatch, hasRange } from './distilled-bulk';
import { JetStreamCluster } from './jetstream-cluster';
import { drainOrdered, JetStreamWorkers } from './jetstream-workers';

export const BATCH_WRITERS = 8;
export const BATCH_SIZE = 100;
export const RANGE_LIMIT = 1000;

interface Timing {
  warmupMs: number;
  durationMs: number;
}

/** The suite's timing for every row, and the longer one of the batched row (both systems). */
interface PeerTiming extends Timing {
  batch: Timing;
}

/** One bulk row: messages/s per round for each system, and their per-round ratio. */
interface BulkRow {
  label: string;
  distilled: string;
  peer: string;
  ours: number[];
  theirs: number[];
  oursP99: number[];
  theirsP99: number[];
  ratios: number[];
  /** Ratios of the warm-up rounds (--warm-rounds): listed, not in the median. */
  warmRatios: number[];
  note?: string;
}

export class JetStreamPeer {
  private readonly bulk = new Map<string, BulkRow>();

  private constructor(
    readonly cluster: JetStreamCluster,
    private readonly timing: PeerTiming,
    private readonly log: (line: string) => void,
  ) {}

  static async start(timing: PeerTiming, log: (line: string) => void): Promise<JetStreamPeer> {
    log('starting: NATS JetStream peer (3 nats-server, file storage, stream R3) ...');
    return new JetStreamPeer(await JetStreamCluster.start(log), timing, log);
  }

  private loop(
    concurrency: number,
    op: Parameters<typeof closedLoop>[0]['op'],
    pids: Record<string, number>,
    timing: Timing = this.timing,
  ) {
    const { warmupMs, durationMs } = timing;
    return closedLoop({ concurrency, op, pids, warmupMs, durationMs });
  }

  private async pids(): Promise<Record<string, number>> {
    const nc = await this.cluster.connect();
    try {
      return await this.cluster.pids(nc);
    } finally {
      await nc.close();
    }
  }

  /** Sync publish at `concurrency`, then direct get among what it wrote. */
  async single(
    concurrency: number,
    size: number,
  ): Promise<{ append: LoopResult; read?: LoopResult }> {
    const pids = await this.pids();
    const workers = await JetStreamWorkers.open(this.cluster, concurrency);
    try {
      const written = new OffsetRange();
      const append = await this.loop(concurrency, workers.publish(size, written), pids);
      const read = written.empty
        ? undefined
        : await this.loop(concurrency, await workers.directGet(written), pids);
      return { append, read };
    } finally {
      await workers.close();
    }
  }

  /**
   * The batched row (8 writers x 100 messages) and the bulk-read row for both systems, one
   * round; Distilled's side only when its API has the route (`apiOrigin` undefined: none).
   */
  async bulkRound(apiOrigin: string | undefined, size: number, warm = false): Promise<void> {
    const pids = await this.pids();
    const tag = warm ? 'warm-up: ' : '';
    const batchLabel = `batched: ${BATCH_WRITERS} writers × ${BATCH_SIZE} messages`;
    const readLabel = `bulk read, ${fmtInt(RANGE_LIMIT)} per page`;

    const workers = await JetStreamWorkers.open(this.cluster, BATCH_WRITERS);
    let theirs: LoopResult;
    try {
      theirs = await this.loop(
        BATCH_WRITERS,
        workers.publishWindow(size, BATCH_SIZE, new OffsetRange()),
        pids,
        this.timing.batch,
      );
    } finally {
      await workers.close();
    }
    let ours: LoopResult | undefined;
    if (apiOrigin && (await hasBatch(apiOrigin))) {
      const batch = new BatchWorkers(apiOrigin, BATCH_WRITERS);
      try {
        ours = await this.loop(
          BATCH_WRITERS,
          batch.append(size, BATCH_SIZE, new OffsetRange()),
          {},
          this.timing.batch,
        );
      } finally {
        await batch.close();
      }
    }
    this.record(batchLabel, 'POST /Data/Batch', `window of ${BATCH_SIZE} async publishes`, warm, {
      ours: ours && ours.opsPerSec * BATCH_SIZE,
      theirs: theirs.opsPerSec * BATCH_SIZE,
      oursP99: ours?.p99Ms,
      theirsP99: theirs.p99Ms,
    });
    this.log(
      `${tag}${batchLabel}: JetStream ${fmtInt(theirs.opsPerSec * BATCH_SIZE)} msg/s` +
        (ours
          ? `, Distilled ${fmtInt(ours.opsPerSec * BATCH_SIZE)} msg/s`
          : ', Distilled: no /Data/Batch route'),
    );

    const drained = await drainOrdered(this.cluster);
    let range: { messages: number; seconds: number } | undefined;
    if (apiOrigin && (await hasRange(apiOrigin)))
      range = await drainRange(apiOrigin, 0, RANGE_LIMIT);
    this.record(readLabel, `GET /Data/Range limit=${RANGE_LIMIT}`, 'ordered consumer', warm, {
      ours: range && range.messages / range.seconds,
      theirs: drained.messages / drained.seconds,
    });
    this.log(
      `${tag}${readLabel}: JetStream ${fmtInt(drained.messages / drained.seconds)} msg/s (${fmtInt(drained.messages)})` +
        (range
          ? `, Distilled ${fmtInt(range.messages / range.seconds)} msg/s (${fmtInt(range.messages)})`
          : ', Distilled: no /Data/Range route'),
    );
  }

  private record(
    label: string,
    distilled: string,
    peer: string,
    warm: boolean,
    figures: { ours?: number; theirs: number; oursP99?: number; theirsP99?: number },
  ): void {
    let row = this.bulk.get(label);
    if (!row) {
      row = {
        label,
        distilled,
        peer,
        ours: [],
        theirs: [],
        oursP99: [],
        theirsP99: [],
        ratios: [],
        warmRatios: [],
      };
      this.bulk.set(label, row);
    }
    if (warm) {
      if (figures.ours !== undefined) row.warmRatios.push(figures.ours / figures.theirs);
      return;
    }
    row.theirs.push(figures.theirs);
    if (figures.theirsP99 !== undefined) row.theirsP99.push(figures.theirsP99);
    if (figures.ours !== undefined) {
      row.ours.push(figures.ours);
      row.ratios.push(figures.ours / figures.theirs);
      if (figures.oursP99 !== undefined) row.oursP99.push(figures.oursP99);
    }
  }

  /** The batched and bulk rows as JSON (for the results file). */
  bulkRows(): BulkRow[] {
    return [...this.bulk.values()];
  }

  /** The batched and bulk table, markdown. */
  printBulk(): void {
    if (this.bulk.size === 0) return;
    console.log('\n### Batched and bulk reads against NATS JetStream R3, same run\n');
    console.log(
      '| load | Distilled | msg/s | p99 ms (per batch) | JetStream R3 | msg/s | p99 ms | ÷ JetStream (per round) | target |',
    );
    console.log('| --- | --- | ---: | ---: | --- | ---: | ---: | --- | --- |');
    for (const row of this.bulk.values()) {
      const ratio = median(row.ratios);
      const target = row.ours.length
        ? `≥2x ${Number.isFinite(ratio) && ratio >= 2 ? '✅' : '❌'}`
        : 'route not in this build';
      console.log(
        `| ${row.label} | ${row.distilled} | ${fmtInt(median(row.ours))} | ${fmtMs(median(row.oursP99))} | ` +
          `${row.peer} | ${fmtInt(median(row.theirs))} | ${fmtMs(median(row.theirsP99))} | ` +
          `${fmtPct(ratio)} (${row.ratios.map((r) => r.toFixed(2)).join(', ')}` +
          `${row.warmRatios.length ? `; ${WARM_UP_LABEL} ${row.warmRatios.map((r) => r.toFixed(2)).join(', ')}` : ''}) | ${target} |`,
      );
    }
  }

  stop(): Promise<void> {
    return this.cluster.stop();
  }
}
