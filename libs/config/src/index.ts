// Environment configuration the two apps share; see libs/config/README.md. Export each by name.
export { ConfigError } from './config-error';
export { ClusterEnv, DEFAULT_CLUSTER, DEFAULT_ETCD } from './cluster-env';
export { EnvName, EnvOneOf, EnvOnOff, EnvRule, EnvUrlList, EnvWholeNumber } from './env-rules';
export { validateEnv, type Env } from './validate-env';
export { allOrNone, readCertificates, readKeyPair, type PemSource } from './pem-files';
export { readGrpcTls } from './grpc-tls';
