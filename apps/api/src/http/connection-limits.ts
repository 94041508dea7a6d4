// What keeps slow and idle clients from exhausting the API: Node's own HTTP server limits,
// set from the configuration in one place. A request whose headers (headersTimeout) or whole
// request (requestTimeout) trickle in for too long is answered 408 problem+json by
// problemClientErrorHandler and its connection closed; an idle keep-alive connection is closed
// after keepAliveTimeout; connections past maxConnections are closed by Node as they arrive.
// No idle-socket timeout (connectionTimeout) is set on purpose: a long-poll or an event stream
// may rightly be silent for a while once its request has arrived, and the three limits above
// already bound every phase in which the client, not the API, owes bytes.
import type { ServerOptions } from 'node:http';
import type { Server } from 'node:net';
import type { ApiConfig } from '../config';

export type LimitsConfig = Pick<
  ApiConfig,
  'headersTimeoutMs' | 'requestTimeoutMs' | 'keepAliveTimeoutMs' | 'maxConnections'
>;

/**
 * Node checks the two request timeouts on a timer (connectionsCheckingInterval, 30 s by
 * default, which would let a 5 s limit run 35 s); a quarter of the shorter one, within
 * 100 ms..1 s, keeps the overrun small at the cost of one pass over the connections.
 */
export function checkingIntervalMs(config: LimitsConfig): number {
  const shorter = Math.min(config.headersTimeoutMs, config.requestTimeoutMs);
  return Math.min(1000, Math.max(100, Math.floor(shorter / 4)));
}

/** Options for Node's http/https createServer (Fastify passes them through). */
export function httpServerOptions(config: LimitsConfig): ServerOptions {
  return {
    headersTimeout: config.headersTimeoutMs,
    requestTimeout: config.requestTimeoutMs,
    connectionsCheckingInterval: checkingIntervalMs(config),
    // Node answers a missing Host with an empty 400; requireHost (a Fastify hook) answers the
    // same case with problem+json instead.
    requireHostHeader: false,
  };
}

/** Fastify's own options for the same limits (it sets them on the server it creates). */
export function fastifyTimeoutOptions(config: LimitsConfig): {
  requestTimeout: number;
  keepAliveTimeout: number;
  connectionTimeout: number;
} {
  return {
    requestTimeout: config.requestTimeoutMs,
    keepAliveTimeout: config.keepAliveTimeoutMs,
    connectionTimeout: 0,
  };
}

/** Caps open connections: Node closes each one past the cap as it is accepted. */
export function capConnections(server: Server, config: LimitsConfig): void {
  server.maxConnections = config.maxConnections;
}
