// One Follow call (a server stream) reduced to "each response" and "one end": grpc-js reports an
// ended stream through 'end', 'error' and 'status' in varying orders, and a cancel of our own as
// a CANCELLED error, which the caller must not hear about.
import type { ServiceError } from '@grpc/grpc-js';
import type { ReplicaStub } from './grpc-client';
import type { FollowResponse } from './messages';

export interface FollowStreamHandlers {
  response(response: FollowResponse): void;
  /** Called once: the stream failed (the grpc-js error) or the replica ended it (null). */
  end(error: ServiceError | Error | null): void;
}

export interface FollowStream {
  /** Closes the stream; `end` is not called after it. */
  cancel(): void;
}

/** Opens Follow from `offset` on `stub`; the handlers hear every response and the one end. */
export function openFollowStream(
  stub: ReplicaStub,
  offset: number,
  handlers: FollowStreamHandlers,
): FollowStream {
  let over = false;
  const finish = (error: ServiceError | Error | null): void => {
    if (over) return;
    over = true;
    handlers.end(error);
  };
  let call: ReturnType<ReplicaStub['Follow']>;
  try {
    call = stub.Follow({ offset });
  } catch (error) {
    finish(error instanceof Error ? error : new Error(String(error)));
    return { cancel: () => undefined };
  }
  call.on('data', (response: FollowResponse) => {
    if (!over) handlers.response(response);
  });
  call.on('error', (error: ServiceError) => finish(error));
  call.on('end', () => finish(null));
  return {
    cancel: () => {
      if (over) return;
      over = true;
      call.cancel();
    },
  };
}
