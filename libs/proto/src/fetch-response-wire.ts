// A leader sends the same FetchResponse to every follower waiting for a written group. Encoding
// it once and handing each follower's call the same bytes saves one encode (a copy of the
// batches) per further follower; the replica server's Fetch method passes such bytes through as
// they are. The bytes are what the method's own serializer makes, so the wire does not change.
import type { MethodDefinition, PackageDefinition } from '@grpc/proto-loader';
import { loadDistilledPackage } from './grpc-client';
import type { FetchResponse, FetchResponse__Input } from './messages';
import { PROTO_PACKAGE } from './proto-path';

type FetchMethod = MethodDefinition<object, FetchResponse__Input, object, FetchResponse>;

function fetchMethod(): FetchMethod {
  return loadDistilledPackage().Replication.service.Fetch as unknown as FetchMethod;
}

/** `response` as the Fetch stream carries it (grpc-js's framing aside). */
export function encodeFetchResponse(response: FetchResponse__Input): Buffer {
  return fetchMethod().responseSerialize(response);
}

/** What a follower decodes from `bytes` (specs check what a leader sent with it). */
export function decodeFetchResponse(bytes: Buffer): FetchResponse {
  return fetchMethod().responseDeserialize(bytes);
}

/**
 * Makes `definition`'s Replication.Fetch send a Buffer as the encoded response it is (anything
 * else is encoded as before). For the replica server's package definition
 * (Nest's `onLoadPackageDefinition`), before grpc-js builds the service from it.
 */
export function passEncodedFetchResponses(definition: PackageDefinition): void {
  const service = definition[`${PROTO_PACKAGE}.Replication`] as
    Record<string, FetchMethod | undefined> | undefined;
  const method = service?.Fetch;
  if (!method) throw new Error(`${PROTO_PACKAGE}.Replication.Fetch is not in the definition`);
  const encode = method.responseSerialize;
  method.responseSerialize = (value) => (Buffer.isBuffer(value) ? value : encode(value));
}
