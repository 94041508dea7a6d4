import { GrpcSecurity, ReplicaClientPool, type StatusResponse } from '@distilled/proto';

/**
 * Calls Replica.Status on replicas through one pooled client per address (a client per call
 * would open a connection per poll while tests wait for a leader).
 */
export class StatusClient {
  private readonly pool: ReplicaClientPool;

  /** `security`: how the cluster's replicas are dialled (plaintext by default). */
  constructor(security: GrpcSecurity = GrpcSecurity.insecure()) {
    this.pool = new ReplicaClientPool({ security });
  }

  /** The replica's own view of itself and the cluster; rejects on error or after `timeoutMs`. */
  status(address: string, timeoutMs = 1000): Promise<StatusResponse> {
    return this.pool.get(address).status(Date.now() + timeoutMs);
  }

  /** Drops the client of one address (its replica left). */
  forget(address: string): void {
    this.pool.forget(address);
  }

  close(): void {
    this.pool.closeAll();
  }
}
