import { Module } from '@nestjs/common';
import { ReplicasModule } from '../replicas/replicas.module';
import { ClusterController } from './cluster.controller';
import { ClusterService } from './cluster.service';
import { ReplicaLogMetrics } from './replica-log-metrics';

/** GET /Cluster. Named ClusterViewModule to keep it apart from libs/cluster's ClusterModule. */
@Module({
  imports: [ReplicasModule],
  controllers: [ClusterController],
  providers: [ClusterService, ReplicaLogMetrics],
})
export class ClusterViewModule {}
