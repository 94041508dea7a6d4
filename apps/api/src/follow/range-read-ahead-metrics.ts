import { Injectable, type OnModuleInit } from '@nestjs/common';
import { MetricsService } from '../metrics/metrics.service';
import { RangeReadAhead } from './range-read-ahead';

/** What /metrics says about GET /Data/Range's read-ahead; read at scrape time. */
@Injectable()
export class RangeReadAheadMetrics implements OnModuleInit {
  constructor(
    private readonly metrics: MetricsService,
    private readonly readAhead: RangeReadAhead,
  ) {}

  onModuleInit(): void {
    const gauge = this.metrics.gaugeAtScrape.bind(this.metrics);
    gauge(
      'distilled_api_range_read_ahead_hits',
      'Range requests answered with a page read ahead, since the API started.',
      () => this.readAhead.counts().hits,
    );
    gauge(
      'distilled_api_range_read_ahead_misses',
      'Range requests read from a replica (nothing read ahead for them), since the API started.',
      () => this.readAhead.counts().misses,
    );
    gauge(
      'distilled_api_range_read_ahead_dropped',
      'Pages read ahead and dropped unread (age, the byte bound, or retention), since the API started.',
      () => this.readAhead.counts().dropped,
    );
    gauge(
      'distilled_api_range_read_ahead_held_bytes',
      'Message bytes of pages read ahead held now.',
      () => this.readAhead.counts().heldBytes,
    );
  }
}
