/**
 * The problems of POST /Data/Batch and of the write headers (Idempotency-Key, Expected-Offset):
 * apps/api/README.md, "Batches and safe retries". Kept beside problems.ts, one factory each, same
 * conventions.
 */
import { KEY_IN_FLIGHT_RETRY_AFTER_SECONDS, RETRY_AFTER_SECONDS } from '../constants';
import { ApiProblem } from './problem-details';
import { problemType, ProblemType } from './problems';

/** 413 for one element of a batch over the message limit; `errors` names it. */
export function batchMessageTooLarge(index: number, bytes: number, limit: number): ApiProblem {
  const detail = `messages[${index}] is ${bytes} bytes of UTF-8, over the limit of ${limit} bytes per message. Nothing of the batch was stored; split that message.`;
  return new ApiProblem({
    type: problemType(ProblemType.messageTooLarge),
    title: 'Message too large',
    status: 413,
    detail,
    errors: [{ field: `messages[${index}]`, in: 'body', detail }],
  });
}

/** 413 for a batch whose messages together are over DISTILLED_MAX_BATCH_BYTES. */
export function batchTooLarge(bytes: number, limit: number): ApiProblem {
  const detail = `The batch's messages are ${bytes} bytes of UTF-8 together, over the limit of ${limit} bytes per batch. Nothing was stored; send them in smaller batches.`;
  return new ApiProblem({
    type: problemType(ProblemType.batchTooLarge),
    title: 'Batch too large',
    status: 413,
    detail,
    errors: [{ field: 'messages', in: 'body', detail }],
  });
}

/**
 * 507: the leader's disk refused the write (and no in-sync replica with room took over within
 * the API's patience for a handover). Like 503, it means the message was NOT stored.
 */
export function diskFull(replica: string, leader: string | null): ApiProblem {
  return new ApiProblem(
    {
      type: problemType(ProblemType.diskFull),
      title: 'Insufficient storage',
      status: 507,
      detail: `The disk of replica ${replica} (the leader) is full, and no in-sync replica with room could take over: the message was NOT stored and nothing else changed. Free space in that replica's data directory (or add replicas with room); it takes writes again by itself once it has room, and it is safe to send the message again.`,
      leader,
      replica,
    },
    { 'Retry-After': String(RETRY_AFTER_SECONDS) },
  );
}

/** 412: Expected-Offset is not where the write would go. */
export function offsetMismatch(expected: number, nextOffset: number): ApiProblem {
  return new ApiProblem({
    type: problemType(ProblemType.offsetMismatch),
    title: 'Offset mismatch',
    status: 412,
    detail: `Expected-Offset was ${expected}, but the next message will get offset ${nextOffset}. Nothing was stored; read the log from ${expected} before writing again.`,
    nextOffset,
  });
}

/** 409: the first request with this key has not finished yet. */
export function keyInFlight(key: string): ApiProblem {
  return new ApiProblem(
    {
      type: problemType(ProblemType.keyInFlight),
      title: 'Idempotency key in use',
      status: 409,
      detail: `A request with Idempotency-Key "${key}" is still being written. Nothing was stored for this one; send it again after Retry-After to get the first request's answer.`,
    },
    { 'Retry-After': String(KEY_IN_FLIGHT_RETRY_AFTER_SECONDS) },
  );
}

/** 422: the key was first used with another body. */
export function keyMismatch(key: string): ApiProblem {
  return new ApiProblem({
    type: problemType(ProblemType.keyMismatch),
    title: 'Idempotency key reused',
    status: 422,
    detail: `Idempotency-Key "${key}" was first used for a request with another body (or another route). Nothing was stored; use a new key for a new request.`,
  });
}
