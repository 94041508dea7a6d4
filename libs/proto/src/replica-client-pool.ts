// STYLE.md rule 5 in one place: one client per replica address, cached, closed when the replica
// leaves and on shutdown (the nestjs/terminus model: clients cached in a Map by address).
import type { ChannelOptions } from '@grpc/grpc-js';
import type { GrpcSecurity } from './grpc-security';
import { ReplicaClient } from './replica-client';

export interface ReplicaClientPoolOptions {
  /** Extra channel options for every client of the pool. */
  channelOptions?: ChannelOptions;
  /** How every client of the pool dials (plaintext when omitted). */
  security?: GrpcSecurity;
  /** Told when a client is made or closed (the API logs it). */
  onChange?: (event: 'created' | 'closed', address: string) => void;
}

/**
 * ReplicaClients by address, made on first use. A client's channel connects lazily and
 * reconnects by itself, so a client is never made per request; callers close the clients of
 * replicas that left (retain / forget) and all of them when they stop (closeAll).
 */
export class ReplicaClientPool {
  private readonly clients = new Map<string, ReplicaClient>();

  constructor(private readonly options: ReplicaClientPoolOptions = {}) {}

  /** The client for `address`, made on first use. */
  get(address: string): ReplicaClient {
    let client = this.clients.get(address);
    if (!client) {
      client = new ReplicaClient(address, this.options.channelOptions, this.options.security);
      this.clients.set(address, client);
      this.options.onChange?.('created', address);
    }
    return client;
  }

  /** Closes the clients of addresses not in `keep` (replicas that left the membership). */
  retain(keep: ReadonlySet<string>): void {
    for (const address of this.clients.keys()) {
      if (!keep.has(address)) this.forget(address);
    }
  }

  /** Closes the client of one address, if there is one. */
  forget(address: string): void {
    const client = this.clients.get(address);
    if (!client) return;
    this.clients.delete(address);
    client.close();
    this.options.onChange?.('closed', address);
  }

  closeAll(): void {
    for (const address of [...this.clients.keys()]) this.forget(address);
  }

  get size(): number {
    return this.clients.size;
  }
}
