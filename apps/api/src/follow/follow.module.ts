import { Module } from '@nestjs/common';
import { ReplicasModule } from '../replicas/replicas.module';
import { FollowController } from './follow.controller';
import { FollowFeed } from './follow-feed';
import { RangeReadAhead } from './range-read-ahead';
import { RangeReadAheadMetrics } from './range-read-ahead-metrics';
import { RangeReader } from './range-reader';
import { RangeService } from './range.service';
import { StreamMetrics } from './stream-metrics';
import { StreamService } from './stream.service';

/**
 * The reading half of /Data: Range (pages, long-poll) and Stream (SSE over one shared feed).
 * The feed and the range reader are exported for the console's tail (one feed per API).
 */
@Module({
  imports: [ReplicasModule],
  controllers: [FollowController],
  providers: [
    RangeReader,
    RangeReadAhead,
    RangeReadAheadMetrics,
    RangeService,
    FollowFeed,
    StreamService,
    StreamMetrics,
  ],
  exports: [FollowFeed, RangeReader],
})
export class FollowModule {}
