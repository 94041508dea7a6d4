// Shared primitives; see libs/common/README.md. Export each by name.
export { describeError } from './describe-error';
export {
  TurnBatcher,
  afterMicrotasks,
  nextTurn,
  type TurnScheduler,
  type TurnBatcherOptions,
} from './turn-batcher';
