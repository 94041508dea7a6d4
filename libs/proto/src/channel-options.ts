// The gRPC limits and channel settings every replica client and the replica server share, kept
// here so the 64 MiB limit has one definition on both sides of the wire.

/**
 * gRPC message size limit, both ways: an Append batch (the API caps one at far less) or a fetch
 * response (about 1 MiB of log, whole batches) fits well within it.
 */
export const GRPC_MAX_MESSAGE_BYTES = 64 * 1024 * 1024;

/** Channel options of every client of a replica (API, replicas, launcher, bench, tests). */
export const CLIENT_CHANNEL_OPTIONS = {
  'grpc.keepalive_time_ms': 10_000,
  'grpc.keepalive_timeout_ms': 5_000,
  'grpc.max_receive_message_length': GRPC_MAX_MESSAGE_BYTES,
  'grpc.max_send_message_length': GRPC_MAX_MESSAGE_BYTES,
} as const;
