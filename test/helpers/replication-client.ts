import { Metadata, type ServiceError } from '@grpc/grpc-js';
import {
  ErrorMetadata,
  ReplicaClient,
  ReplicaClientPool,
  type AppendResponse,
  type ReadResponse,
  type StatusResponse,
} from '@distilled/proto';

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

function isServiceError(error: unknown): error is ServiceError {
  return error instanceof Error && (error as Partial<ServiceError>).metadata instanceof Metadata;
}

function wrap(error: ServiceError): ReplicaCallError {
  const metadata: Record<string, string> = {};
  for (const [key, value] of Object.entries(error.metadata?.getMap() ?? {})) {
    metadata[key] = String(value);
  }
  return new ReplicaCallError(error.code, metadata[ErrorMetadata.reason], metadata, error.details);
}

/**
 * libs/proto's ReplicaClient as the tests use it: relative timeouts, strings as messages, and
 * failures as ReplicaCallError (tests and measurements drive replicas with it directly,
 * without the API in between). One channel per address, closed by close().
 */
export class ReplicaTestClient {
  private readonly client: ReplicaClient;

  /** A new channel to `address`, or a view of an existing client (ReplicaClients' pool). */
  constructor(target: string | ReplicaClient) {
    this.client = typeof target === 'string' ? new ReplicaClient(target) : target;
  }

  get address(): string {
    return this.client.address;
  }

  private async call<Res>(call: (client: ReplicaClient) => Promise<Res>): Promise<Res> {
    try {
      return await call(this.client);
    } catch (error) {
      throw isServiceError(error) ? wrap(error) : error;
    }
  }

  append(
    messages: (string | Buffer)[],
    options: { producerId?: number; sequence?: number; timeoutMs?: number } = {},
  ): Promise<AppendResponse> {
    const request = {
      messages: messages.map((m) => (typeof m === 'string' ? Buffer.from(m) : m)),
      producer_id: options.producerId ?? 0,
      sequence: options.sequence ?? 0,
    };
    return this.call((c) => c.append(request, Date.now() + (options.timeoutMs ?? 10_000)));
  }

  read(offset: number, timeoutMs = 5_000): Promise<ReadResponse> {
    return this.call((c) => c.read(offset, Date.now() + timeoutMs));
  }

  status(timeoutMs = 2_000): Promise<StatusResponse> {
    return this.call((c) => c.status(Date.now() + timeoutMs));
  }

  close(): void {
    this.client.close();
  }
}

/** One pooled client per address (libs/proto's ReplicaClientPool), closed together. */
export class ReplicaClients {
  private readonly pool = new ReplicaClientPool();

  get(address: string): ReplicaTestClient {
    return new ReplicaTestClient(this.pool.get(address));
  }

  close(): void {
    this.pool.closeAll();
  }
}
