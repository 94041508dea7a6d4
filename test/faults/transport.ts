/**
 * How the fault suite's own clients (writers, reader, readback, readiness polls) reach the
 * cluster: plaintext, or, for the TLS run, HTTPS and mutual-TLS gRPC trusting the cluster's
 * throwaway CA and only it. One object passed along, so every client of a run speaks the same.
 */
import { readFileSync } from 'node:fs';
import { Agent } from 'undici';
import { clusterGrpcSecurity, type ClusterTlsFiles } from '@distilled/launcher';
import { ReplicaClientPool, type ReadResponse } from '@distilled/proto';
import { readFromReplica } from '../helpers/e2e-cluster';

export class FaultTransport {
  private constructor(
    /** The CA an https:// API's certificate is signed by (for the SSE followers). */
    readonly ca: Buffer | undefined,
    private readonly dispatcher: Agent | undefined,
    private readonly replicas: ReplicaClientPool | undefined,
  ) {}

  /** Plain HTTP and gRPC (the shared replica clients of test/helpers/e2e-cluster). */
  static readonly plain = new FaultTransport(undefined, undefined, undefined);

  /** HTTPS trusting `files.ca`; gRPC presenting the cluster's certificate (mutual TLS). */
  static tls(files: ClusterTlsFiles): FaultTransport {
    const ca = readFileSync(files.ca);
    return new FaultTransport(
      ca,
      new Agent({ connect: { ca } }),
      new ReplicaClientPool({ security: clusterGrpcSecurity(files) }),
    );
  }

  /** The global fetch, through the dispatcher that trusts the CA when there is one. */
  fetch(url: string, init: RequestInit = {}): Promise<Response> {
    // Node's fetch takes an undici dispatcher; the DOM RequestInit type does not name it.
    return fetch(url, {
      ...init,
      ...(this.dispatcher && { dispatcher: this.dispatcher }),
    } as RequestInit);
  }

  /** Replica.Read straight from one replica. */
  readReplica(address: string, offset: number): Promise<ReadResponse> {
    if (!this.replicas) return readFromReplica(address, offset);
    return this.replicas.get(address).read(offset, Date.now() + 5_000);
  }

  /** Closes the TLS run's own clients (the plain ones are closed with the cluster). */
  async close(): Promise<void> {
    this.replicas?.closeAll();
    await this.dispatcher?.close();
  }
}
