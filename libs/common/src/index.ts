// Shared primitives; see libs/common/README.md. Export each by name.
export { describeError } from './describe-error';
export { FlagError, Flags, type FlagSpec } from './flags';
export {
  TurnBatcher,
  afterMicrotasks,
  nextTurn,
  type TurnScheduler,
  type TurnBatcherOptions,
} from './turn-batcher';
export { RetryBackoff } from './retry-backoff';
export { seededRandom } from './seeded-random';
