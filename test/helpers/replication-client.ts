import type { Client, ServiceError } from '@grpc/grpc-js';
import {
  createGrpcClient,
  ErrorMetadata,
  type AppendResponse,
  type ReadResponse,
  type StatusResponse,
} from '@distilled/proto';

type Unary<Req, Res> = (
  request: Req,
  options: { deadline: Date },
  callback: (error: ServiceError | null, response?: Res) => void,
) => void;

/** A failed call as the tests look at it: gRPC code plus the `distilled-reason` trailer. */
export class ReplicaCallError extends Error {
  constructor(
    readonly code: number,
    readonly reason: string | undefined,
    readonly metadata: Record<string, string>,
    details: string,
  ) {
    super(`${code} ${reason ?? '-'}: ${details}`);
  }
}

function wrap(error: ServiceError): ReplicaCallError {
  const metadata: Record<string, string> = {};
  for (const [key, value] of Object.entries(error.metadata?.getMap() ?? {})) {
    metadata[key] = String(value);
  }
  return new ReplicaCallError(error.code, metadata[ErrorMetadata.reason], metadata, error.details);
}

/**
 * A plain grpc-js Replica client for one address (tests and measurements drive replicas with
 * it directly, without the API in between). One channel per address, closed by close().
 */
export class ReplicaTestClient {
  private readonly client: Client;

  constructor(readonly address: string) {
    this.client = createGrpcClient('Replica', address);
  }

  private call<Req, Res>(method: string, request: Req, timeoutMs: number): Promise<Res> {
    const fn = (this.client as unknown as Record<string, Unary<Req, Res>>)[method].bind(
      this.client,
    );
    return new Promise((resolve, reject) => {
      fn(request, { deadline: new Date(Date.now() + timeoutMs) }, (error, response) => {
        if (error) reject(wrap(error));
        else if (!response) reject(new Error(`empty ${method} answer from ${this.address}`));
        else resolve(response);
      });
    });
  }

  append(
    messages: (string | Buffer)[],
    options: { producerId?: number; sequence?: number; timeoutMs?: number } = {},
  ): Promise<AppendResponse> {
    return this.call(
      'Append',
      {
        messages: messages.map((m) => (typeof m === 'string' ? Buffer.from(m) : m)),
        producer_id: options.producerId ?? 0,
        sequence: options.sequence ?? 0,
      },
      options.timeoutMs ?? 10_000,
    );
  }

  read(offset: number, timeoutMs = 5_000): Promise<ReadResponse> {
    return this.call('Read', { offset }, timeoutMs);
  }

  status(timeoutMs = 2_000): Promise<StatusResponse> {
    return this.call('Status', {}, timeoutMs);
  }

  close(): void {
    this.client.close();
  }
}

/** One cached client per address. */
export class ReplicaClients {
  private readonly clients = new Map<string, ReplicaTestClient>();

  get(address: string): ReplicaTestClient {
    let client = this.clients.get(address);
    if (!client) {
      client = new ReplicaTestClient(address);
      this.clients.set(address, client);
    }
    return client;
  }

  close(): void {
    for (const client of this.clients.values()) client.close();
    this.clients.clear();
  }
}
