import { applyDecorators } from '@nestjs/common';
import { ApiHeader } from '@nestjs/swagger';
import { DEFAULT_MAX_BATCH_BYTES, DEFAULT_MAX_MESSAGE_BYTES } from '../constants';
import {
  batchMessageTooLarge,
  batchTooLarge,
  diskFull,
  invalidRequest,
  keyInFlight,
  keyMismatch,
  offsetMismatch,
} from '../problems';
import { ApiProblemResponse } from '../problems/api-problem-response.decorator';
import { EXPECTED_OFFSET_HEADER, IDEMPOTENCY_KEY_HEADER } from './write-headers';

/*
 * OpenAPI for the write headers (Idempotency-Key, Expected-Offset) and for POST /Data/Batch's
 * own refusals, built with the factories the API answers with (as data.swagger.ts does).
 */

export const IDEMPOTENT_REPLAYED_DOC = {
  'Idempotent-Replayed': {
    description:
      '`true` when this answer repeats the answer to an earlier request with the same Idempotency-Key and body: nothing new was stored.',
    schema: { type: 'string' as const },
  },
};

/** Both headers, and the 409, 412 and 422 answers they can bring. */
export function ApiWriteHeaders(): MethodDecorator {
  return applyDecorators(
    ApiHeader({
      name: IDEMPOTENCY_KEY_HEADER,
      required: false,
      description:
        "1 to 255 visible ASCII characters that name this request (e.g. `order-7f3a-created`). The first request with a key is stored; a later one with the same key and body (within DISTILLED_IDEMPOTENCY_WINDOW_MS, default 24 h) gets the first one's answer again, with `Idempotent-Replayed: true`, also after an API restart or a leader change. Retry a 503, a 504 or a lost connection with the same key: the message is stored exactly once.",
      // No `example`: Swagger UI would send it with every "Try it out" (a 412 for Expected-Offset).
      schema: { type: 'string', minLength: 1, maxLength: 255 },
    }),
    ApiHeader({
      name: EXPECTED_OFFSET_HEADER,
      required: false,
      description:
        'Store only if the (first) message would get this offset; otherwise 412 with `nextOffset`, and nothing is stored. Decided by the leader in its append order: of writers racing for one offset, at most one wins. Combine with Idempotency-Key to retry safely.',
      schema: { type: 'integer', minimum: 0 },
    }),
    ApiProblemResponse(
      409,
      'The first request with this Idempotency-Key is still being written. Nothing was stored for this one; send it again after Retry-After.',
      {
        inFlight: {
          summary: 'Same key, still in flight',
          value: keyInFlight('order-7f3a').problem,
        },
      },
      {
        'Retry-After': {
          description: 'Seconds to wait before sending the request again.',
          schema: { type: 'integer' },
        },
      },
    ),
    ApiProblemResponse(
      507,
      "The leader's disk is full and no in-sync replica with room took over: nothing was stored. It recovers by itself once space is freed; send the request again after Retry-After.",
      {
        diskFull: {
          summary: 'Leader disk full',
          value: diskFull('replica-1', 'replica-1').problem,
        },
      },
      {
        'Retry-After': {
          description: 'Seconds to wait before sending the request again.',
          schema: { type: 'integer' },
        },
      },
    ),
    ApiProblemResponse(
      412,
      'Expected-Offset is not where the write would go; `nextOffset` is. Nothing was stored.',
      { mismatch: { summary: 'The log moved on', value: offsetMismatch(42, 45).problem } },
    ),
    ApiProblemResponse(
      422,
      'The Idempotency-Key was first used with another body or route. Nothing was stored.',
      { reused: { summary: 'Same key, other body', value: keyMismatch('order-7f3a').problem } },
    ),
  );
}

const badHeaders = {
  badKey: {
    summary: 'Idempotency-Key with a space',
    value: invalidRequest([
      {
        field: IDEMPOTENCY_KEY_HEADER,
        in: 'header',
        detail:
          'Idempotency-Key "my key" has a character that is not visible ASCII (spaces, commas from a repeated header, and non-ASCII are not allowed).',
      },
    ]).problem,
  },
  badOffset: {
    summary: 'Expected-Offset: 1.5',
    value: invalidRequest([
      {
        field: EXPECTED_OFFSET_HEADER,
        in: 'header',
        detail:
          'Expected-Offset "1.5" is not a whole number; send plain decimal digits from 0 to 9007199254740991.',
      },
    ]).problem,
  },
};

/** POST /Data/Batch's 400 and 413 (the rest are those of POST /Data). */
export function ApiBatchProblems(): MethodDecorator {
  return applyDecorators(
    ApiProblemResponse(
      400,
      'The body is not {"messages": [string, ...]} with 1 to 10000 elements, or a header is bad. `errors[].field` names the element (`messages[i]`). Nothing was stored.',
      {
        notString: {
          summary: 'One element is not a string',
          value: invalidRequest([
            {
              field: 'messages[2]',
              in: 'body',
              detail: 'messages[2]: message must be a string, not a number.',
            },
          ]).problem,
        },
        empty: {
          summary: 'Empty batch',
          value: invalidRequest([
            {
              field: 'messages',
              in: 'body',
              detail: 'messages is empty; a batch holds 1 to 10000 messages.',
            },
          ]).problem,
        },
        ...badHeaders,
      },
    ),
    ApiProblemResponse(
      413,
      'An element is over DISTILLED_MAX_MESSAGE_BYTES, or all of them together over DISTILLED_MAX_BATCH_BYTES. Nothing was stored.',
      {
        elementTooLarge: {
          summary: 'One message over the limit',
          value: batchMessageTooLarge(3, DEFAULT_MAX_MESSAGE_BYTES + 1, DEFAULT_MAX_MESSAGE_BYTES)
            .problem,
        },
        batchTooLarge: {
          summary: 'The batch over the limit',
          value: batchTooLarge(DEFAULT_MAX_BATCH_BYTES + 10, DEFAULT_MAX_BATCH_BYTES).problem,
        },
      },
    ),
  );
}
