// Mutual TLS for gRPC, as both apps read it: the CA, this process's certificate and its key
// (DISTILLED_GRPC_TLS_CA, _CERT, _KEY: all three or none), and the optional name peers'
// certificates are checked against (DISTILLED_GRPC_TLS_SERVER_NAME). The files are read here,
// once; libs/proto's GrpcSecurity turns what this returns into credentials.
import type { GrpcTlsMaterial } from '@distilled/proto';
import type { ClusterEnv } from './cluster-env';
import { ConfigError } from './config-error';
import { allOrNone, readCertificates, readKeyPair } from './pem-files';

/** The gRPC TLS material of a validated environment; null when the variables are unset. */
export function readGrpcTls(env: ClusterEnv): GrpcTlsMaterial | null {
  const on = allOrNone({
    DISTILLED_GRPC_TLS_CA: env.DISTILLED_GRPC_TLS_CA,
    DISTILLED_GRPC_TLS_CERT: env.DISTILLED_GRPC_TLS_CERT,
    DISTILLED_GRPC_TLS_KEY: env.DISTILLED_GRPC_TLS_KEY,
  });
  if (!on) {
    if (env.DISTILLED_GRPC_TLS_SERVER_NAME !== undefined) {
      throw new ConfigError(
        'DISTILLED_GRPC_TLS_SERVER_NAME',
        'needs DISTILLED_GRPC_TLS_CA, DISTILLED_GRPC_TLS_CERT and DISTILLED_GRPC_TLS_KEY',
        env.DISTILLED_GRPC_TLS_SERVER_NAME,
      );
    }
    return null;
  }
  const ca = readCertificates({
    variable: 'DISTILLED_GRPC_TLS_CA',
    path: env.DISTILLED_GRPC_TLS_CA!,
  });
  const pair = readKeyPair(
    { variable: 'DISTILLED_GRPC_TLS_CERT', path: env.DISTILLED_GRPC_TLS_CERT! },
    { variable: 'DISTILLED_GRPC_TLS_KEY', path: env.DISTILLED_GRPC_TLS_KEY! },
  );
  return { ca: ca.pem, ...pair, serverName: env.DISTILLED_GRPC_TLS_SERVER_NAME };
}
