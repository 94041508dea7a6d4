import { mkdtempSync, rmSync } from 'node:fs';
import { Server as HttpsServer } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ThrowawayCa } from '@distilled/launcher';
import { parseApiConfig } from '../config';
import { createApiAdapter } from './api-app';
import { httpsServerOptions } from './https-options';

describe('HTTPS for the API', () => {
  let dir: string;
  let tlsEnv: Record<string, string>;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'api-https-'));
    const ca = await ThrowawayCa.create(dir);
    const leaf = await ca.issue('api');
    tlsEnv = { DISTILLED_API_TLS_CERT: leaf.cert, DISTILLED_API_TLS_KEY: leaf.key };
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  describe('httpsServerOptions', () => {
    it('keeps the slow-client limits and bounds the handshake by the headers timeout', () => {
      const config = parseApiConfig({ ...tlsEnv, DISTILLED_API_HEADERS_TIMEOUT_MS: '2000' });
      const options = httpsServerOptions(config, config.https!);
      expect(options).toMatchObject({
        headersTimeout: 2000,
        requestTimeout: config.requestTimeoutMs,
        requireHostHeader: false,
        handshakeTimeout: 2000,
        ALPNProtocols: ['http/1.1'],
      });
      expect(options.cert).toEqual(config.https!.cert);
      expect(options.key).toEqual(config.https!.key);
    });
  });

  describe('createApiAdapter', () => {
    it('makes an https server with DISTILLED_API_TLS_*, with the connection cap', () => {
      const config = parseApiConfig({ ...tlsEnv, DISTILLED_API_MAX_CONNECTIONS: '7' });
      const server = createApiAdapter(config).getInstance().server;
      expect(server).toBeInstanceOf(HttpsServer);
      expect(server.maxConnections).toBe(7);
      expect(server.keepAliveTimeout).toBe(config.keepAliveTimeoutMs);
    });

    it('makes a plain http server without them', () => {
      const server = createApiAdapter(parseApiConfig({})).getInstance().server;
      expect(server).not.toBeInstanceOf(HttpsServer);
    });
  });

  describe('parseApiConfig', () => {
    it('reads the certificate and key, both or neither', () => {
      const config = parseApiConfig(tlsEnv);
      expect(config.https?.certFile).toBe(tlsEnv.DISTILLED_API_TLS_CERT);
      expect(() =>
        parseApiConfig({ DISTILLED_API_TLS_CERT: tlsEnv.DISTILLED_API_TLS_CERT }),
      ).toThrow(/^DISTILLED_API_TLS_KEY: must be set when DISTILLED_API_TLS_CERT is/);
      expect(() => parseApiConfig({ DISTILLED_API_TLS_KEY: tlsEnv.DISTILLED_API_TLS_KEY })).toThrow(
        /^DISTILLED_API_TLS_CERT: must be set when DISTILLED_API_TLS_KEY is/,
      );
    });

    it('names the variable and the file that cannot be read', () => {
      const missing = join(dir, 'missing.pem');
      expect(() => parseApiConfig({ ...tlsEnv, DISTILLED_API_TLS_CERT: missing })).toThrow(
        `DISTILLED_API_TLS_CERT: cannot read the file (ENOENT) (got "${missing}")`,
      );
    });

    it('reads DISTILLED_GRPC_TLS_* for the replica channels', () => {
      expect(() =>
        parseApiConfig({ DISTILLED_GRPC_TLS_CA: tlsEnv.DISTILLED_API_TLS_CERT }),
      ).toThrow(/^DISTILLED_GRPC_TLS_CERT: must be set when DISTILLED_GRPC_TLS_CA is/);
    });
  });
});
