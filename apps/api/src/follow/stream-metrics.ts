import { Injectable, type OnModuleInit } from '@nestjs/common';
import { Gauge } from 'prom-client';
import { MetricsService } from '../metrics/metrics.service';
import { FollowFeed } from './follow-feed';
import { StreamService } from './stream.service';

/**
 * What /metrics says about GET /Data/Stream: connections, what they hold (the shared ring, and
 * the bytes sitting in their sockets), how many read behind the ring, events delivered, and the
 * feed's reconnects. Read at scrape time; nothing is counted on the hot path.
 */
@Injectable()
export class StreamMetrics implements OnModuleInit {
  constructor(
    private readonly metrics: MetricsService,
    private readonly streams: StreamService,
    private readonly feed: FollowFeed,
  ) {}

  onModuleInit(): void {
    const gauge = this.metrics.gaugeAtScrape.bind(this.metrics);
    gauge(
      'distilled_api_stream_connections',
      'Open GET /Data/Stream connections.',
      () => this.streams.stats().connections,
    );
    gauge(
      'distilled_api_stream_catching_up',
      'Stream connections reading by range, behind the shared ring.',
      () => this.streams.stats().catchingUp,
    );
    gauge(
      'distilled_api_stream_socket_buffered_bytes',
      'Bytes written to stream sockets and not yet taken by the clients (bounded per connection by one chunk).',
      () => this.streams.stats().bufferedBytes,
    );
    gauge(
      'distilled_api_stream_events_delivered',
      'Events written to stream clients since the API started.',
      () => this.streams.stats().delivered,
    );
    gauge(
      'distilled_api_stream_ring_messages',
      'Events held in the shared ring.',
      () => this.feed.ring.size,
    );
    gauge(
      'distilled_api_stream_ring_bytes',
      'Bytes of events held in the shared ring.',
      () => this.feed.ring.bytes,
    );
    const feed = this.feed;
    new Gauge({
      name: 'distilled_api_stream_feed_replica',
      help: 'The replica the shared feed follows now (1 for it; none while it has no stream).',
      labelNames: ['replica'] as const,
      registers: [this.metrics.registry],
      collect() {
        this.reset();
        if (feed.replica !== null) this.set({ replica: feed.replica }, 1);
      },
    });
    gauge(
      'distilled_api_stream_feed_reconnects',
      'Times the shared feed (re)opened its Follow stream on a replica.',
      () => this.feed.reconnects,
    );
  }
}
