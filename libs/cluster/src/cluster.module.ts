import { Module } from '@nestjs/common';
import {
  CLUSTER_OPTIONS,
  CLUSTER_STATE_STORE,
  DEAD_LEADER_LEASES,
  ELECTION,
  MEMBERSHIP,
} from './cluster.interface';
import { ClusterStateService } from './cluster-state';
import { DeadLeaderLeasesService } from './dead-leader-leases';
import { CLUSTER_MODULE_OPTIONS, ClusterConfigurableModule } from './cluster.module-definition';
import { ElectionService } from './election';
import { ETCD_CLIENT, EtcdClientCloser, etcdClientProvider } from './etcd.provider';
import { MembershipService } from './membership';

/**
 * The cluster library as a Nest module: `ClusterModule.forRoot({ endpoints, cluster })` or
 * `forRootAsync({ useFactory, inject, imports })`. Global by default (`isGlobal: false` to
 * scope it). Provides the etcd client (ETCD_CLIENT, closed at application shutdown),
 * MEMBERSHIP, CLUSTER_STATE_STORE, ELECTION, DEAD_LEADER_LEASES and CLUSTER_OPTIONS. Nothing starts campaigning
 * until someone calls `election.start(id)`; watches start at module init.
 */
@Module({
  providers: [
    { provide: CLUSTER_OPTIONS, useExisting: CLUSTER_MODULE_OPTIONS },
    etcdClientProvider,
    EtcdClientCloser,
    MembershipService,
    ClusterStateService,
    ElectionService,
    DeadLeaderLeasesService,
    { provide: MEMBERSHIP, useExisting: MembershipService },
    { provide: CLUSTER_STATE_STORE, useExisting: ClusterStateService },
    { provide: ELECTION, useExisting: ElectionService },
    { provide: DEAD_LEADER_LEASES, useExisting: DeadLeaderLeasesService },
  ],
  exports: [
    CLUSTER_OPTIONS,
    ETCD_CLIENT,
    MembershipService,
    ClusterStateService,
    ElectionService,
    MEMBERSHIP,
    CLUSTER_STATE_STORE,
    ELECTION,
    DEAD_LEADER_LEASES,
  ],
})
export class ClusterModule extends ClusterConfigurableModule {}
