import type * as grpc from '@grpc/grpc-js';
import { createGrpcClient } from '@distilled/proto';

interface AppendRpc {
  Append(
    request: { messages: Buffer[]; producer_id?: number; sequence?: number },
    options: grpc.CallOptions,
    callback: (
      error: grpc.ServiceError | null,
      response?: { base_offset: number; count: number },
    ) => void,
  ): void;
}

const clients = new Map<string, grpc.Client>();

/** What a direct Replica.Append on one replica answered. */
export type DirectAppend =
  { ok: true; offset: number } | { ok: false; code: number; reason?: string; detail: string };

/**
 * Replica.Append of one message straight to one replica (no API, no retries, no producer id):
 * what a client that still believes in an old leader would get from it.
 */
export function appendDirect(
  address: string,
  message: string,
  timeoutMs = 6_000,
): Promise<DirectAppend> {
  let client = clients.get(address);
  if (!client) clients.set(address, (client = createGrpcClient('Replica', address)));
  return new Promise((resolve) => {
    (client as unknown as AppendRpc).Append(
      { messages: [Buffer.from(message)] },
      { deadline: Date.now() + timeoutMs },
      (error, response) => {
        if (error || !response) {
          const reason = error?.metadata?.get('distilled-reason')[0];
          resolve({
            ok: false,
            code: error?.code ?? -1,
            reason: reason === undefined ? undefined : String(reason),
            detail: error?.details ?? 'no answer',
          });
        } else {
          resolve({ ok: true, offset: Number(response.base_offset) });
        }
      },
    );
  });
}

export function closeDirectClients(): void {
  for (const client of clients.values()) client.close();
  clients.clear();
}
