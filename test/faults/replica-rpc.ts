import { Metadata, type ServiceError } from '@grpc/grpc-js';
import { ErrorMetadata, ReplicaClientPool } from '@distilled/proto';

const clients = new ReplicaClientPool();

/** What a direct Replica.Append on one replica answered. */
export type DirectAppend =
  { ok: true; offset: number } | { ok: false; code: number; reason?: string; detail: string };

/**
 * Replica.Append of one message straight to one replica (no API, no retries, no producer id):
 * what a client that still believes in an old leader would get from it.
 */
export async function appendDirect(
  address: string,
  message: string,
  timeoutMs = 6_000,
): Promise<DirectAppend> {
  try {
    const response = await clients
      .get(address)
      .append({ messages: [Buffer.from(message)] }, Date.now() + timeoutMs);
    return { ok: true, offset: Number(response.base_offset) };
  } catch (error) {
    const failed = error as Partial<ServiceError>;
    const reason =
      failed.metadata instanceof Metadata
        ? failed.metadata.get(ErrorMetadata.reason)[0]
        : undefined;
    return {
      ok: false,
      code: failed.code ?? -1,
      reason: reason === undefined ? undefined : String(reason),
      detail: failed.details ?? 'no answer',
    };
  }
}

export function closeDirectClients(): void {
  clients.closeAll();
}
