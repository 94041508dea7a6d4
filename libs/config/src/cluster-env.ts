// The variables every process of a cluster shares: where etcd is, and the cluster's key prefix
// in it, and how gRPC between them is secured. The replica's and the API's environment classes
// extend this one, so both read them with the same rules and defaults.
import { IsOptional, IsString } from 'class-validator';
import { EnvName, EnvRule, EnvUrlList } from './env-rules';

export const DEFAULT_ETCD = 'http://127.0.0.1:2379';
export const DEFAULT_CLUSTER = 'distilled';

export class ClusterEnv {
  /** etcd endpoints, comma-separated. */
  @EnvUrlList()
  DISTILLED_ETCD: string[] = [DEFAULT_ETCD];

  /** The etcd key prefix; several clusters can share one etcd. */
  @EnvName()
  DISTILLED_CLUSTER: string = DEFAULT_CLUSTER;

  /**
   * Mutual TLS for gRPC (all three or none; see readGrpcTls): the CA that signs every
   * replica's and the API's certificate, and this process's certificate and key, as PEM files.
   */
  @IsOptional()
  @IsString()
  DISTILLED_GRPC_TLS_CA?: string;

  @IsOptional()
  @IsString()
  DISTILLED_GRPC_TLS_CERT?: string;

  @IsOptional()
  @IsString()
  DISTILLED_GRPC_TLS_KEY?: string;

  /** Check every peer's certificate against this name instead of the host dialled. */
  @IsOptional()
  @EnvRule('must be a DNS name, like distilled-replica', isDnsName)
  DISTILLED_GRPC_TLS_SERVER_NAME?: string;
}

function isDnsName(value: unknown): boolean {
  return typeof value === 'string' && /^[A-Za-z0-9]([A-Za-z0-9.-]{0,252})$/.test(value);
}
