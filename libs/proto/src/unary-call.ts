// grpc-js unary calls take a callback; every client here wants a promise with an absolute
// deadline. One adapter, so each client method is a single line.
import { Metadata, status, type CallOptions, type ServiceError } from '@grpc/grpc-js';
import { serviceError } from './service-error';

type UnaryMethod<Req, Res> = (
  request: Req,
  metadata: Metadata,
  options: CallOptions,
  callback: (error: ServiceError | null, response?: Res) => void,
) => unknown;

/**
 * Calls `method` (bound to its stub) and settles with its answer; rejects with the grpc-js
 * ServiceError (code, details, distilled-* trailers) as it arrived. `deadline` is absolute
 * (Date.now() scale).
 */
export function unaryCall<Req, Res>(
  method: UnaryMethod<Req, Res>,
  request: Req,
  deadline: number,
  metadata = new Metadata(),
): Promise<Res> {
  return new Promise<Res>((resolve, reject) => {
    method(request, metadata, { deadline }, (error, response) => {
      if (error) reject(error);
      else if (response === undefined)
        reject(serviceError(status.INTERNAL, 'the replica sent an empty answer'));
      else resolve(response);
    });
  });
}
