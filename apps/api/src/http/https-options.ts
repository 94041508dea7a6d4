// The API's HTTPS server options: the certificate and key of DISTILLED_API_TLS_*, plus the same
// slow-client limits as plain HTTP (connection-limits.ts). Only HTTPS is served then: a client
// speaking plain HTTP to the port fails the TLS handshake and is sent nothing in clear.
import type { ServerOptions } from 'node:https';
import type { ApiHttpsFiles } from '../config';
import { httpServerOptions, type LimitsConfig } from './connection-limits';

export function httpsServerOptions(config: LimitsConfig, files: ApiHttpsFiles): ServerOptions {
  return {
    ...httpServerOptions(config),
    cert: files.cert,
    key: files.key,
    // A client that opens a connection and never finishes the handshake is a slow client
    // before its headers: it gets the headers' time limit (Node's default is 120 s).
    handshakeTimeout: config.headersTimeoutMs,
    // HTTP/1.1 only, as over plain HTTP (Fastify serves no HTTP/2 here).
    ALPNProtocols: ['http/1.1'],
  };
}
