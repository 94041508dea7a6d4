export * from './cluster.interface';
export { ClusterModule } from './cluster.module';
export {
  CLUSTER_ASYNC_OPTIONS_TYPE,
  CLUSTER_MODULE_OPTIONS,
  CLUSTER_OPTIONS_TYPE,
} from './cluster.module-definition';
export {
  ETCD_CALL_TIMEOUT_MS,
  ETCD_CLIENT,
  EtcdClientCloser,
  createEtcdClient,
  etcdClientProvider,
} from './etcd.provider';
export { ClusterKeys } from './keys';
export { CLUSTER_LOGGER } from './logger';
export type { ClusterLogger } from './logger';
export { DEFAULT_LEASE_TTL_SECONDS, MembershipService } from './membership';
export { ClusterStateService, decodeClusterState, encodeClusterState } from './cluster-state';
export { ElectionService } from './election';
export { DeadLeaderLeasesService } from './dead-leader-leases';
export { FencedLeadership } from './fenced-leadership';
export { isrStanding } from './isr-standing';
export type { IsrStanding } from './isr-standing';
