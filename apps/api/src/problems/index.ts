export { ApiProblem, PROBLEM_CONTENT_TYPE } from './problem-details';
export type { ProblemDetails, FieldProblem } from './problem-details';
export {
  ProblemType,
  problemType,
  invalidRequest,
  malformedJson,
  jsonTooComplex,
  badRequest,
  offsetNotFound,
  offsetTrimmed,
  routeNotFound,
  rateLimited,
  methodNotAllowed,
  requestTimeout,
  messageTooLarge,
  unsupportedMediaType,
  headersTooLarge,
  internalError,
  replicaRejected,
  notStored,
  outcomeUnknown,
  unavailable,
  notReady,
  truncate,
} from './problems';
export type { ProblemTypeName } from './problems';
export {
  batchMessageTooLarge,
  batchTooLarge,
  diskFull,
  keyInFlight,
  keyMismatch,
  offsetMismatch,
} from './write-problems';
export { ProblemDetailsFilter } from './problem-details.filter';
export { problemClientErrorHandler } from './client-error-handler';
export { RouteTable, trackRoutes, routeTableOf } from './route-table';
