import { ConfigError } from '@distilled/config';
import { parseApiConfig } from './parse-api-config';

describe('parseApiConfig', () => {
  it('uses the documented defaults for an empty environment', () => {
    expect(parseApiConfig({})).toEqual({
      host: '0.0.0.0',
      port: 5000,
      etcdEndpoints: ['http://127.0.0.1:2379'],
      cluster: 'distilled',
      maxMessageBytes: 1048576,
      maxBatchBytes: 16 * 1024 * 1024,
      writeTimeoutMs: 5000,
      maxInFlight: 1,
      leanAsyncBind: true,
      headersTimeoutMs: 10000,
      requestTimeoutMs: 30000,
      keepAliveTimeoutMs: 72000,
      maxConnections: 10000,
      apiKeys: null,
      apiKeysFile: null,
      https: null,
      grpcTls: null,
      rateLimit: null,
      rateLimitWindowMs: 1000,
    });
  });

  it('reads every variable', () => {
    expect(
      parseApiConfig({
        DISTILLED_API_HOST: '127.0.0.1',
        DISTILLED_API_PORT: '8080',
        DISTILLED_ETCD: 'http://a:2379, http://b:2379',
        DISTILLED_CLUSTER: 'test-1',
        DISTILLED_MAX_MESSAGE_BYTES: '100',
        DISTILLED_MAX_BATCH_BYTES: '1000',
        DISTILLED_WRITE_TIMEOUT_MS: '250',
        DISTILLED_API_MAX_IN_FLIGHT: '2',
        DISTILLED_API_LEAN_ASYNC_BIND: ' OFF ',
        DISTILLED_API_HEADERS_TIMEOUT_MS: '2000',
        DISTILLED_API_REQUEST_TIMEOUT_MS: '4000',
        DISTILLED_API_KEEPALIVE_TIMEOUT_MS: '3000',
        DISTILLED_API_MAX_CONNECTIONS: '50',
        DISTILLED_API_RATE_LIMIT: '300',
        DISTILLED_API_RATE_LIMIT_WINDOW_MS: '60000',
      }),
    ).toEqual({
      host: '127.0.0.1',
      port: 8080,
      etcdEndpoints: ['http://a:2379', 'http://b:2379'],
      cluster: 'test-1',
      maxMessageBytes: 100,
      maxBatchBytes: 1000,
      writeTimeoutMs: 250,
      maxInFlight: 2,
      leanAsyncBind: false,
      headersTimeoutMs: 2000,
      requestTimeoutMs: 4000,
      keepAliveTimeoutMs: 3000,
      maxConnections: 50,
      apiKeys: null,
      apiKeysFile: null,
      https: null,
      grpcTls: null,
      rateLimit: 300,
      rateLimitWindowMs: 60000,
    });
  });

  it('needs room in a batch for one message of the largest size', () => {
    expect(() =>
      parseApiConfig({ DISTILLED_MAX_MESSAGE_BYTES: '2000', DISTILLED_MAX_BATCH_BYTES: '1000' }),
    ).toThrow(/^DISTILLED_MAX_BATCH_BYTES: /);
    expect(parseApiConfig({ DISTILLED_MAX_MESSAGE_BYTES: '16777216' }).maxBatchBytes).toBe(
      16777216,
    );
  });

  it.each([
    ['DISTILLED_API_PORT', 'abc'],
    ['DISTILLED_API_PORT', '70000'],
    ['DISTILLED_API_PORT', '-1'],
    ['DISTILLED_MAX_MESSAGE_BYTES', '0'],
    ['DISTILLED_API_MAX_IN_FLIGHT', '0'],
    ['DISTILLED_API_MAX_IN_FLIGHT', '6'],
    ['DISTILLED_MAX_MESSAGE_BYTES', '1.5'],
    ['DISTILLED_MAX_BATCH_BYTES', '0'],
    ['DISTILLED_MAX_BATCH_BYTES', '999999999'],
    ['DISTILLED_WRITE_TIMEOUT_MS', '1e3'],
    ['DISTILLED_ETCD', 'not a url'],
    ['DISTILLED_ETCD', 'ftp://x:1'],
    ['DISTILLED_CLUSTER', 'a/b'],
    ['DISTILLED_API_LEAN_ASYNC_BIND', 'yes'],
    ['DISTILLED_API_HEADERS_TIMEOUT_MS', '99'],
    ['DISTILLED_API_REQUEST_TIMEOUT_MS', '5s'],
    ['DISTILLED_API_KEEPALIVE_TIMEOUT_MS', '0'],
    ['DISTILLED_API_MAX_CONNECTIONS', '0'],
    ['DISTILLED_API_RATE_LIMIT', '0'],
    ['DISTILLED_API_RATE_LIMIT', '10/s'],
    ['DISTILLED_API_RATE_LIMIT_WINDOW_MS', '99'],
  ])('rejects %s=%s with a message naming the variable', (variable, value) => {
    const parse = () => parseApiConfig({ [variable]: value });
    expect(parse).toThrow(ConfigError);
    expect(parse).toThrow(new RegExp(`^${variable}: `));
  });

  it('refuses a headers timeout longer than the request timeout, naming the variable', () => {
    expect(() =>
      parseApiConfig({
        DISTILLED_API_HEADERS_TIMEOUT_MS: '5000',
        DISTILLED_API_REQUEST_TIMEOUT_MS: '4000',
      }),
    ).toThrow(
      /^DISTILLED_API_HEADERS_TIMEOUT_MS: must not be longer than DISTILLED_API_REQUEST_TIMEOUT_MS \(4000\)/,
    );
  });
});
