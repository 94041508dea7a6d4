import { Module } from '@nestjs/common';
import { ClusterService } from '../cluster/cluster.service';
import { FollowModule } from '../follow/follow.module';
import { ReplicasModule } from '../replicas/replicas.module';
import { ConsoleAssets, locateConsoleBuild } from './console-assets';
import { ConsoleController } from './console.controller';
import { ConsoleFeed } from './console-feed.service';

/**
 * The live console at /ui (apps/console's page) and its shared feed at /ui/events. It reuses
 * GET /Cluster's join (ClusterService, stateless over the shared replica gateway) as a provider
 * of its own, and GET /Data/Stream's one FollowFeed (imported: the same instance) for its tail.
 */
@Module({
  imports: [ReplicasModule, FollowModule],
  controllers: [ConsoleController],
  providers: [
    ConsoleFeed,
    { provide: ConsoleAssets, useFactory: () => new ConsoleAssets(locateConsoleBuild()) },
    ClusterService,
  ],
})
export class ConsoleModule {}
