// Shared primitives; see libs/common/README.md. Export each by name.
export { describeError } from './describe-error';
export { FlagError, Flags, type FlagSpec } from './flags';
