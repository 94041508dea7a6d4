// The variables every process of a cluster shares: where etcd is, and the cluster's key prefix
// in it. The replica's and the API's environment classes extend this one, so both read them
// with the same rules and defaults.
import { EnvName, EnvUrlList } from './env-rules';

export const DEFAULT_ETCD = 'http://127.0.0.1:2379';
export const DEFAULT_CLUSTER = 'distilled';

export class ClusterEnv {
  /** etcd endpoints, comma-separated. */
  @EnvUrlList()
  DISTILLED_ETCD: string[] = [DEFAULT_ETCD];

  /** The etcd key prefix; several clusters can share one etcd. */
  @EnvName()
  DISTILLED_CLUSTER: string = DEFAULT_CLUSTER;
}
