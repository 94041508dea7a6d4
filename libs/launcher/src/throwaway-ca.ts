// A certificate authority made on the spot with `openssl`, for clusters that run TLS without an
// operator's PKI: `distilled start --tls`, the TLS e2e suite and `npm run bench -- --tls`. The
// keys are unencrypted P-256 files in the directory given; they protect nothing once that
// directory is readable, which is the point of "throwaway".
import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { GrpcSecurity } from '@distilled/proto';

const run = promisify(execFile);

/** A certificate and its private key, as PEM file paths. */
export interface CertificateFiles {
  cert: string;
  key: string;
}

/** Where a certificate is valid: its subject alternative names. */
export interface CertificateNames {
  /** IP addresses (IP: SAN entries). */
  ips?: string[];
  /** Host names (DNS: SAN entries). */
  dns?: string[];
}

/** The names a certificate of a cluster on this machine needs: every way it is dialled here. */
export const LOCAL_NAMES: CertificateNames = { ips: ['127.0.0.1', '::1'], dns: ['localhost'] };

const KEY_ARGS = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

export class ThrowawayCa implements CertificateFiles {
  private constructor(
    readonly dir: string,
    /** The CA certificate: what clients trust (curl --cacert, DISTILLED_GRPC_TLS_CA). */
    readonly cert: string,
    readonly key: string,
  ) {}

  /** Makes a self-signed CA (`<dir>/<name>-ca.pem`, `<dir>/<name>-ca.key`); `dir` is created. */
  static async create(dir: string, name = 'distilled'): Promise<ThrowawayCa> {
    mkdirSync(dir, { recursive: true });
    const cert = join(dir, `${name}-ca.pem`);
    const key = join(dir, `${name}-ca.key`);
    // prettier-ignore
    await openssl([
      'req', '-x509', ...KEY_ARGS, '-keyout', key, '-out', cert, '-days', '3650',
      '-subj', `/CN=${name} throwaway CA`,
      '-addext', 'basicConstraints=critical,CA:TRUE',
      '-addext', 'keyUsage=critical,keyCertSign,cRLSign',
    ]);
    return new ThrowawayCa(dir, cert, key);
  }

  /**
   * Issues `<dir>/<name>.pem` and `<dir>/<name>.key`, good both as a server certificate and as
   * a client one (mutual TLS presents the same certificate both ways), for `names`.
   */
  async issue(name: string, names: CertificateNames = LOCAL_NAMES): Promise<CertificateFiles> {
    const cert = join(this.dir, `${name}.pem`);
    const key = join(this.dir, `${name}.key`);
    const sans = [
      ...(names.ips ?? []).map((ip) => `IP:${ip}`),
      ...(names.dns ?? []).map((dns) => `DNS:${dns}`),
    ];
    // prettier-ignore
    await openssl([
      'req', '-x509', ...KEY_ARGS, '-keyout', key, '-out', cert, '-days', '825',
      '-subj', `/CN=${name}`, '-CA', this.cert, '-CAkey', this.key,
      '-addext', 'basicConstraints=CA:FALSE',
      '-addext', 'extendedKeyUsage=serverAuth,clientAuth',
      ...(sans.length > 0 ? ['-addext', `subjectAltName=${sans.join(',')}`] : []),
    ]);
    return { cert, key };
  }
}

async function openssl(args: string[]): Promise<void> {
  try {
    await run('openssl', args);
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr?.trim();
    const why = stderr || (error as Error).message;
    throw new Error(`openssl ${args[0]} failed: ${why}`);
  }
}

/** The files a TLS cluster on this machine runs with (LocalClusterOptions.tls). */
export interface ClusterTlsFiles {
  /** The CA: DISTILLED_GRPC_TLS_CA of every process, and what HTTPS clients trust. */
  ca: string;
  /** What every process presents: gRPC both ways, and the API's HTTPS. */
  cert: string;
  key: string;
}

/** A new CA in `dir` and one certificate for every process of a cluster on this machine. */
export async function throwawayClusterTls(dir: string): Promise<ClusterTlsFiles> {
  const ca = await ThrowawayCa.create(dir);
  const { cert, key } = await ca.issue('localhost');
  return { ca: ca.cert, cert, key };
}

/**
 * How a client outside the cluster's processes (the launcher's Status calls, `distilled status`,
 * the benchmarks) dials its replicas: mutual TLS with the cluster's files, or plaintext.
 */
export function clusterGrpcSecurity(tls: ClusterTlsFiles | undefined): GrpcSecurity {
  if (!tls) return GrpcSecurity.insecure();
  return GrpcSecurity.mutualTls({
    ca: readFileSync(tls.ca),
    cert: readFileSync(tls.cert),
    key: readFileSync(tls.key),
  });
}
