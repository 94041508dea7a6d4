import type { FollowResponse } from '@distilled/proto';
import type { FollowCapable } from './replica-client-pool';

/**
 * One Follow call on a raw grpc-js client, reduced to "each response" and "one end": grpc-js
 * reports an ended stream through 'end', 'error' and 'status' in varying orders, and a cancel of
 * our own as a CANCELLED error, which the caller must not hear about.
 */
export function openFollowStream(
  client: FollowCapable,
  offset: number,
  handlers: { response(response: FollowResponse): void; end(error: unknown): void },
): { cancel(): void } {
  let over = false;
  const finish = (error: unknown): void => {
    if (over) return;
    over = true;
    handlers.end(error);
  };
  let call: ReturnType<FollowCapable['Follow']>;
  try {
    call = client.Follow({ offset });
  } catch (error) {
    finish(error);
    return { cancel: () => undefined };
  }
  call.on('data', (response: FollowResponse) => {
    if (!over) handlers.response(response);
  });
  call.on('error', (error: Error & { code?: number }) => {
    finish(error);
  });
  call.on('end', () => finish(null));
  return {
    cancel: () => {
      if (over) return;
      over = true;
      call.cancel();
    },
  };
}
