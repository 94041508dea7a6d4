import { hostname } from 'node:os';
import { ConfigError } from '@distilled/config';
import { parseServerConfig } from './parse-server-config';

describe('parseServerConfig', () => {
  it('fills every default of the README Configuration table', () => {
    const config = parseServerConfig({});
    expect(config).toEqual({
      etcdEndpoints: ['http://127.0.0.1:2379'],
      cluster: 'distilled',
      nodeId: hostname(),
      grpcHost: '0.0.0.0',
      grpcPort: 50051,
      advertise: `${hostname()}:50051`,
      dataDir: `data/${hostname()}`,
      minInsync: 1,
      fsync: 'always',
      segmentBytes: 64 * 1024 * 1024,
      retention: { retentionBytes: undefined, retentionMs: undefined },
      leaseTtlSeconds: 1,
      replicaLagMs: 2000,
      commitTimeoutMs: 4000,
      logFormat: 'json',
      idempotencyWindowMs: 24 * 60 * 60 * 1000,
      idempotencyMaxKeys: 1_000_000,
      grpcTls: null,
    });
  });

  it('reads every variable', () => {
    const config = parseServerConfig({
      DISTILLED_ETCD: 'http://10.0.0.1:2379, http://10.0.0.2:2379',
      DISTILLED_CLUSTER: 'prod',
      DISTILLED_NODE_ID: 'replica-7',
      DISTILLED_GRPC_HOST: '127.0.0.1',
      DISTILLED_GRPC_PORT: '6000',
      DISTILLED_DATA_DIR: '/var/lib/distilled',
      DISTILLED_MIN_INSYNC: '2',
      DISTILLED_FSYNC: 'interval',
      DISTILLED_SEGMENT_BYTES: '1048576',
      DISTILLED_LEASE_TTL: '3',
      DISTILLED_REPLICA_LAG_MS: '500',
      DISTILLED_COMMIT_TIMEOUT_MS: '900',
      DISTILLED_LOG_FORMAT: 'text',
      DISTILLED_RETENTION_BYTES: '1073741824',
      DISTILLED_RETENTION_MS: '86400000',
      DISTILLED_IDEMPOTENCY_WINDOW_MS: '60000',
      DISTILLED_IDEMPOTENCY_MAX_KEYS: '5000',
    });
    expect(config).toMatchObject({
      etcdEndpoints: ['http://10.0.0.1:2379', 'http://10.0.0.2:2379'],
      cluster: 'prod',
      nodeId: 'replica-7',
      grpcHost: '127.0.0.1',
      grpcPort: 6000,
      advertise: `${hostname()}:6000`,
      dataDir: '/var/lib/distilled',
      minInsync: 2,
      fsync: 'interval',
      segmentBytes: 1048576,
      leaseTtlSeconds: 3,
      replicaLagMs: 500,
      commitTimeoutMs: 900,
      logFormat: 'text',
      retention: { retentionBytes: 1073741824, retentionMs: 86400000 },
      idempotencyWindowMs: 60000,
      idempotencyMaxKeys: 5000,
    });
  });

  it('stops the boot when only some of DISTILLED_GRPC_TLS_* are set, naming a missing one', () => {
    expect(() =>
      parseServerConfig({ DISTILLED_GRPC_TLS_CA: '/ca.pem', DISTILLED_GRPC_TLS_KEY: '/k.pem' }),
    ).toThrow(
      /^DISTILLED_GRPC_TLS_CERT: must be set when DISTILLED_GRPC_TLS_CA and DISTILLED_GRPC_TLS_KEY are/,
    );
  });

  it('treats an empty variable as unset', () => {
    expect(parseServerConfig({ DISTILLED_MIN_INSYNC: '' }).minInsync).toBe(1);
  });

  it.each([
    ['DISTILLED_ETCD', 'localhost:2379'],
    ['DISTILLED_ETCD', 'http://a:2379,ftp://b'],
    ['DISTILLED_CLUSTER', 'a/b'],
    ['DISTILLED_NODE_ID', 'has space'],
    ['DISTILLED_GRPC_HOST', '0.0.0.0:50051'],
    ['DISTILLED_GRPC_PORT', 'abc'],
    ['DISTILLED_GRPC_PORT', '70000'],
    ['DISTILLED_GRPC_PORT', '0'],
    ['DISTILLED_ADVERTISE', 'no-port'],
    ['DISTILLED_ADVERTISE', 'host:99999'],
    ['DISTILLED_MIN_INSYNC', '0'],
    ['DISTILLED_MIN_INSYNC', '1.5'],
    ['DISTILLED_FSYNC', 'sometimes'],
    ['DISTILLED_SEGMENT_BYTES', '100'],
    ['DISTILLED_LEASE_TTL', '0'],
    ['DISTILLED_REPLICA_LAG_MS', '-1'],
    ['DISTILLED_IDEMPOTENCY_WINDOW_MS', '10'],
    ['DISTILLED_IDEMPOTENCY_MAX_KEYS', '0'],
    ['DISTILLED_COMMIT_TIMEOUT_MS', '1e3'],
    ['DISTILLED_LOG_FORMAT', 'xml'],
    ['DISTILLED_RETENTION_BYTES', '0'],
    ['DISTILLED_RETENTION_BYTES', '10GB'],
    ['DISTILLED_RETENTION_MS', '-5'],
    ['DISTILLED_RETENTION_MS', '1.5'],
  ])('%s=%s stops the boot with one line naming it', (variable, value) => {
    let caught: unknown;
    try {
      parseServerConfig({ [variable]: value });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    const error = caught as ConfigError;
    expect(error.variable).toBe(variable);
    expect(error.message.startsWith(variable)).toBe(true);
    expect(error.message).toContain(`"${value}"`);
    expect(error.message).not.toContain('\n');
  });
});
