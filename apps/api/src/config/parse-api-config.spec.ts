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
      writeTimeoutMs: 5000,
      maxInFlight: 1,
      leanAsyncBind: true,
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
        DISTILLED_WRITE_TIMEOUT_MS: '250',
        DISTILLED_API_MAX_IN_FLIGHT: '2',
        DISTILLED_API_LEAN_ASYNC_BIND: ' OFF ',
      }),
    ).toEqual({
      host: '127.0.0.1',
      port: 8080,
      etcdEndpoints: ['http://a:2379', 'http://b:2379'],
      cluster: 'test-1',
      maxMessageBytes: 100,
      writeTimeoutMs: 250,
      maxInFlight: 2,
      leanAsyncBind: false,
    });
  });

  it.each([
    ['DISTILLED_API_PORT', 'abc'],
    ['DISTILLED_API_PORT', '70000'],
    ['DISTILLED_API_PORT', '-1'],
    ['DISTILLED_MAX_MESSAGE_BYTES', '0'],
    ['DISTILLED_API_MAX_IN_FLIGHT', '0'],
    ['DISTILLED_API_MAX_IN_FLIGHT', '6'],
    ['DISTILLED_MAX_MESSAGE_BYTES', '1.5'],
    ['DISTILLED_WRITE_TIMEOUT_MS', '1e3'],
    ['DISTILLED_ETCD', 'not a url'],
    ['DISTILLED_ETCD', 'ftp://x:1'],
    ['DISTILLED_CLUSTER', 'a/b'],
    ['DISTILLED_API_LEAN_ASYNC_BIND', 'yes'],
  ])('rejects %s=%s with a message naming the variable', (variable, value) => {
    const parse = () => parseApiConfig({ [variable]: value });
    expect(parse).toThrow(ConfigError);
    expect(parse).toThrow(new RegExp(`^${variable}: `));
  });
});
