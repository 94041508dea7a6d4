import { Module } from '@nestjs/common';
import { ClusterService } from '../cluster/cluster.service';
import { ReplicaReader } from '../replicas/replica-reader';
import { ReplicasModule } from '../replicas/replicas.module';
import { ConsoleAssets, locateConsoleBuild } from './console-assets';
import { ConsoleController } from './console.controller';
import { ConsoleFeed } from './console-feed.service';

/**
 * The live console at /ui (apps/console's page) and its shared feed at /ui/events. It reuses
 * GET /Cluster's join (ClusterService) and the reader of GET /Data as providers of its own:
 * both are stateless over the shared replica gateway.
 */
@Module({
  imports: [ReplicasModule],
  controllers: [ConsoleController],
  providers: [
    ConsoleFeed,
    { provide: ConsoleAssets, useFactory: () => new ConsoleAssets(locateConsoleBuild()) },
    ClusterService,
    ReplicaReader,
  ],
})
export class ConsoleModule {}
