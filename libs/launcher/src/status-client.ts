import type { Client, ServiceError } from '@grpc/grpc-js';
import { createGrpcClient, type StatusRequest, type StatusResponse } from '@distilled/proto';

type StatusMethod = (
  request: StatusRequest,
  options: { deadline: Date },
  callback: (error: ServiceError | null, response?: StatusResponse) => void,
) => void;

/**
 * Calls Replica.Status on replicas, one cached gRPC client per address (a client per call
 * would open a connection per poll while tests wait for a leader).
 */
export class StatusClient {
  private readonly clients = new Map<string, Client>();

  /** The replica's own view of itself and the cluster; rejects on error or after `timeoutMs`. */
  status(address: string, timeoutMs = 1000): Promise<StatusResponse> {
    const client = this.client(address);
    const call = (client as unknown as { Status: StatusMethod }).Status.bind(client);
    return new Promise((resolve, reject) => {
      call({}, { deadline: new Date(Date.now() + timeoutMs) }, (error, response) => {
        if (error || !response) reject(error ?? new Error(`empty Status answer from ${address}`));
        else resolve(response);
      });
    });
  }

  /** Drops the client of one address (its replica left). */
  forget(address: string): void {
    this.clients.get(address)?.close();
    this.clients.delete(address);
  }

  close(): void {
    for (const client of this.clients.values()) client.close();
    this.clients.clear();
  }

  private client(address: string): Client {
    let client = this.clients.get(address);
    if (!client) {
      client = createGrpcClient('Replica', address);
      this.clients.set(address, client);
    }
    return client;
  }
}
