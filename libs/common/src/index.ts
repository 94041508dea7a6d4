// Shared primitives; see libs/common/README.md. Export each by name.
export { describeError } from './describe-error';
export {
  ClusterEnv,
  ConfigError,
  DEFAULT_CLUSTER,
  DEFAULT_ETCD,
  EnvName,
  EnvOneOf,
  EnvOnOff,
  EnvRule,
  EnvUrlList,
  EnvWholeNumber,
  validateEnv,
  type Env,
} from './config';
export { FlagError, Flags, type FlagSpec } from './flags';
