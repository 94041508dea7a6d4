import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ThrowawayCa, type CertificateFiles } from '@distilled/launcher';
import { ClusterEnv } from './cluster-env';
import { ConfigError } from './config-error';
import { readGrpcTls } from './grpc-tls';
import { validateEnv } from './validate-env';

describe('readGrpcTls', () => {
  let dir: string;
  let ca: ThrowawayCa;
  let leaf: CertificateFiles;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'grpc-tls-'));
    ca = await ThrowawayCa.create(dir);
    leaf = await ca.issue('replica');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const read = (env: Record<string, string>) => readGrpcTls(validateEnv(ClusterEnv, env));
  const files = () => ({
    DISTILLED_GRPC_TLS_CA: ca.cert,
    DISTILLED_GRPC_TLS_CERT: leaf.cert,
    DISTILLED_GRPC_TLS_KEY: leaf.key,
  });

  it('is null (plaintext) when none of the variables is set, empty ones included', () => {
    expect(read({})).toBeNull();
    expect(read({ DISTILLED_GRPC_TLS_CA: '', DISTILLED_GRPC_TLS_CERT: ' ' })).toBeNull();
  });

  it('reads the three files, and the server name when given', () => {
    const material = read({ ...files(), DISTILLED_GRPC_TLS_SERVER_NAME: 'distilled-replica' });
    expect(material?.ca.toString()).toContain('BEGIN CERTIFICATE');
    expect(material?.cert.toString()).toContain('BEGIN CERTIFICATE');
    expect(material?.key.toString()).toContain('PRIVATE KEY');
    expect(material?.serverName).toBe('distilled-replica');
    expect(read(files())?.serverName).toBeUndefined();
  });

  it.each([['DISTILLED_GRPC_TLS_CA'], ['DISTILLED_GRPC_TLS_CERT'], ['DISTILLED_GRPC_TLS_KEY']])(
    'stops at start when %s is missing from the three, naming it',
    (missing) => {
      const env: Record<string, string> = files();
      delete env[missing];
      expect(() => read(env)).toThrow(ConfigError);
      expect(() => read(env)).toThrow(new RegExp(`^${missing}: must be set when`));
    },
  );

  it('refuses a server name without the files', () => {
    expect(() => read({ DISTILLED_GRPC_TLS_SERVER_NAME: 'x' })).toThrow(
      /^DISTILLED_GRPC_TLS_SERVER_NAME: needs DISTILLED_GRPC_TLS_CA/,
    );
  });

  it('names the variable and the file of an unreadable CA', () => {
    const missing = join(dir, 'nope.pem');
    expect(() => read({ ...files(), DISTILLED_GRPC_TLS_CA: missing })).toThrow(
      `DISTILLED_GRPC_TLS_CA: cannot read the file (ENOENT) (got "${missing}")`,
    );
  });

  it('refuses a key that is not the certificate’s', async () => {
    const other = await ca.issue('other');
    expect(() => read({ ...files(), DISTILLED_GRPC_TLS_KEY: other.key })).toThrow(
      /^DISTILLED_GRPC_TLS_KEY: is not the private key of the certificate in DISTILLED_GRPC_TLS_CERT/,
    );
  });
});
