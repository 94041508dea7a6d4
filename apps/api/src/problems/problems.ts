import { RETRY_AFTER_SECONDS } from '../constants';
import { ApiProblem, PROBLEM_TYPE_PREFIX, type FieldProblem } from './problem-details';

/**
 * Every problem the API answers with, one factory each, so a type URI always comes with the
 * same title and status. The detail says what happened and what to do about it.
 */
export const ProblemType = {
  invalidRequest: 'invalid-request',
  malformedJson: 'malformed-json',
  jsonTooComplex: 'json-too-complex',
  offsetNotFound: 'offset-not-found',
  offsetTrimmed: 'offset-trimmed',
  routeNotFound: 'route-not-found',
  methodNotAllowed: 'method-not-allowed',
  requestTimeout: 'request-timeout',
  messageTooLarge: 'message-too-large',
  unsupportedMediaType: 'unsupported-media-type',
  headersTooLarge: 'headers-too-large',
  internal: 'internal-error',
  replicaRejected: 'replica-rejected',
  notStored: 'write-not-stored',
  unavailable: 'unavailable',
  notReady: 'not-ready',
  outcomeUnknown: 'write-outcome-unknown',
  badRequest: 'bad-request',
  unauthorized: 'unauthorized',
  forbidden: 'forbidden',
  batchTooLarge: 'batch-too-large',
  offsetMismatch: 'offset-mismatch',
  keyInFlight: 'idempotency-key-in-flight',
  keyMismatch: 'idempotency-key-mismatch',
  diskFull: 'disk-full',
  rateLimited: 'rate-limited',
} as const;
export type ProblemTypeName = (typeof ProblemType)[keyof typeof ProblemType];

export function problemType(name: ProblemTypeName): string {
  return `${PROBLEM_TYPE_PREFIX}${name}`;
}

const retryAfter = { 'Retry-After': String(RETRY_AFTER_SECONDS) };

export function invalidRequest(errors: FieldProblem[]): ApiProblem {
  return new ApiProblem({
    type: problemType(ProblemType.invalidRequest),
    title: 'Invalid request',
    status: 400,
    detail: errors.map((error) => error.detail).join(' '),
    errors,
  });
}

export function malformedJson(detail: string): ApiProblem {
  return new ApiProblem({
    type: problemType(ProblemType.malformedJson),
    title: 'Malformed JSON body',
    status: 400,
    detail,
  });
}

/**
 * A body whose shape no call takes (nested too deeply, too many fields or values), refused
 * before validation would spend its time on it.
 */
export function jsonTooComplex(detail: string): ApiProblem {
  return new ApiProblem({
    type: problemType(ProblemType.jsonTooComplex),
    title: 'JSON body too complex',
    status: 400,
    detail,
  });
}

/** A 4xx that Fastify or Nest raised before our code ran; its message is about the request. */
export function badRequest(status: number, title: string, detail: string): ApiProblem {
  return new ApiProblem({ type: problemType(ProblemType.badRequest), title, status, detail });
}

export function offsetNotFound(offset: number, nextOffset: number): ApiProblem {
  const where =
    nextOffset === 0
      ? 'The log is empty, so no offset has been written yet.'
      : `The log ends at offset ${nextOffset - 1}; the next message written will get offset ${nextOffset}.`;
  return new ApiProblem({
    type: problemType(ProblemType.offsetNotFound),
    title: 'Offset not written yet',
    status: 404,
    detail: `No message has been committed at offset ${offset}. ${where}`,
    nextOffset,
  });
}

/** Retention deleted `offset`: it will never be readable again; the log starts at `firstOffset`. */
export function offsetTrimmed(offset: number, firstOffset: number): ApiProblem {
  return new ApiProblem({
    type: problemType(ProblemType.offsetTrimmed),
    title: 'Offset deleted by retention',
    status: 410,
    detail: `Offset ${offset} was deleted by the cluster's retention and will not come back. The log now starts at offset ${firstOffset}; read from there.`,
    firstOffset,
  });
}

/**
 * 429: the client used its requests for this window. `who` names it as the limiter knows it
 * (an API key's name, or the client's address); Retry-After and the RateLimit-* headers are
 * set by the limiter itself, on the same reply.
 */
export function rateLimited(
  who: string,
  limit: number,
  windowMs: number,
  retryAfterSeconds: number,
): ApiProblem {
  const window = windowMs % 1000 === 0 ? `${windowMs / 1000} s` : `${windowMs} ms`;
  const seconds = retryAfterSeconds === 1 ? '1 second' : `${retryAfterSeconds} seconds`;
  return new ApiProblem(
    {
      type: problemType(ProblemType.rateLimited),
      title: 'Too many requests',
      status: 429,
      detail: `${who} may make ${limit} ${limit === 1 ? 'request' : 'requests'} per ${window} and has made them all; retry in ${seconds}. This request was not processed and nothing was stored.`,
    },
    { 'Retry-After': String(retryAfterSeconds) },
  );
}

export function routeNotFound(method: string, path: string): ApiProblem {
  return new ApiProblem({
    type: problemType(ProblemType.routeNotFound),
    title: 'Not found',
    status: 404,
    detail: `There is no ${method} ${path}. The API serves POST /Data, POST /Data/Batch, GET /Data?offset=n, GET /Data/Range?offset=n, GET /Data/Stream?offset=n, GET /Cluster, GET /health, GET /metrics; see /docs.`,
  });
}

export function methodNotAllowed(method: string, path: string, allow: string[]): ApiProblem {
  return new ApiProblem(
    {
      type: problemType(ProblemType.methodNotAllowed),
      title: 'Method not allowed',
      status: 405,
      detail: `${path} does not take ${method}; it takes ${allow.join(', ')}.`,
    },
    { Allow: allow.join(', ') },
  );
}

export function requestTimeout(): ApiProblem {
  return new ApiProblem({
    type: problemType(ProblemType.requestTimeout),
    title: 'Request timeout',
    status: 408,
    detail: 'The request did not arrive completely in time; send it again.',
  });
}

export function messageTooLarge(bytes: number | null, limit: number): ApiProblem {
  const size = bytes === null ? 'The request body is' : `The message is ${bytes} bytes of UTF-8,`;
  return new ApiProblem({
    type: problemType(ProblemType.messageTooLarge),
    title: 'Message too large',
    status: 413,
    detail: `${size} over the limit of ${limit} bytes per message. Split it into smaller messages.`,
  });
}

export function unsupportedMediaType(contentType: string | undefined): ApiProblem {
  const got = contentType ? `"${truncate(contentType, 80)}"` : 'no Content-Type';
  return new ApiProblem({
    type: problemType(ProblemType.unsupportedMediaType),
    title: 'Unsupported media type',
    status: 415,
    detail: `The body was sent with ${got}; send it as JSON with "Content-Type: application/json".`,
  });
}

export function headersTooLarge(): ApiProblem {
  return new ApiProblem({
    type: problemType(ProblemType.headersTooLarge),
    title: 'Request header fields too large',
    status: 431,
    detail:
      'The request headers are larger than the server accepts; send fewer or shorter headers.',
  });
}

export function internalError(): ApiProblem {
  return new ApiProblem({
    type: problemType(ProblemType.internal),
    title: 'Internal server error',
    status: 500,
    detail: 'The API failed unexpectedly while handling this request; the failure has been logged.',
  });
}

/** The replicas refused the batch as invalid; retrying the same request will not help. */
export function replicaRejected(stored: 'not-stored' | 'maybe-stored'): ApiProblem {
  const fate =
    stored === 'not-stored'
      ? 'The message was not stored.'
      : 'The message may or may not have been stored; retrying it may store it twice.';
  return new ApiProblem({
    type: problemType(ProblemType.replicaRejected),
    title: 'Replica rejected the write',
    status: 502,
    detail: `The leader replica rejected the write. ${fate}`,
  });
}

/** 503 for a write: every attempt proved the message was NOT stored. */
export function notStored(why: string, leader: string | null): ApiProblem {
  return new ApiProblem(
    {
      type: problemType(ProblemType.notStored),
      title: 'Write not stored',
      status: 503,
      detail: `${why} The message was NOT stored; it is safe to send it again.`,
      leader,
    },
    retryAfter,
  );
}

/** 504 for a write: some attempt may have appended it and none settled it. */
export function outcomeUnknown(why: string, leader: string | null): ApiProblem {
  return new ApiProblem({
    type: problemType(ProblemType.outcomeUnknown),
    title: 'Write outcome unknown',
    status: 504,
    detail: `${why} The message may or may not have been stored: read the log before sending it again, since retrying may store it twice.`,
    leader,
  });
}

/** 503 for reads and status: no replica could answer. */
export function unavailable(detail: string, leader: string | null = null): ApiProblem {
  return new ApiProblem(
    {
      type: problemType(ProblemType.unavailable),
      title: 'Service unavailable',
      status: 503,
      detail,
      leader,
    },
    retryAfter,
  );
}

export function notReady(detail: string, leader: string | null): ApiProblem {
  return new ApiProblem(
    {
      type: problemType(ProblemType.notReady),
      title: 'Not ready',
      status: 503,
      detail,
      leader,
    },
    retryAfter,
  );
}

export function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max)}…`;
}
