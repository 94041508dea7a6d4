// Shared primitives; see libs/common/README.md. Export each by name.
export { describeError } from './describe-error';
export { RetryBackoff } from './retry-backoff';
