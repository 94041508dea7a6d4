import { applyDecorators } from '@nestjs/common';
import { ApiProblemResponse } from '../problems/api-problem-response.decorator';
import {
  invalidRequest,
  malformedJson,
  messageTooLarge,
  methodNotAllowed,
  notStored,
  offsetNotFound,
  offsetTrimmed,
  outcomeUnknown,
  unavailable,
  unsupportedMediaType,
} from '../problems';
import { DEFAULT_MAX_MESSAGE_BYTES, DEFAULT_WRITE_TIMEOUT_MS } from '../constants';

/*
 * The error answers of /Data as OpenAPI examples. They are built with the same factories the
 * API answers with, so the documentation cannot drift from what is sent.
 */

const retryAfterHeader = {
  'Retry-After': {
    description: 'Seconds to wait before sending the request again.',
    schema: { type: 'integer' as const },
  },
};

const methodNotAllowedResponse = ApiProblemResponse(
  405,
  'The path exists but does not take this method; `Allow` lists the ones it takes.',
  {
    wrongMethod: {
      summary: 'DELETE /Data',
      value: methodNotAllowed('DELETE', '/Data', ['GET', 'HEAD', 'POST']).problem,
    },
  },
  { Allow: { description: 'The methods this path takes.', schema: { type: 'string' } } },
);

export function ApiAppendProblems(): MethodDecorator {
  return applyDecorators(
    ApiProblemResponse(400, 'The body is not {"message": string}. Nothing was stored.', {
      malformedJson: {
        summary: 'The body is not JSON',
        value: malformedJson('The body is not valid JSON: unexpected end of input at position 12.')
          .problem,
      },
      missing: {
        summary: 'message missing',
        value: invalidRequest([
          {
            field: 'message',
            in: 'body',
            detail: 'message is required: send {"message": "<text>"}.',
          },
        ]).problem,
      },
      notString: {
        summary: 'message not a string',
        value: invalidRequest([
          { field: 'message', in: 'body', detail: 'message must be a string, not a number.' },
        ]).problem,
      },
      unknownField: {
        summary: 'unknown field',
        value: invalidRequest([
          {
            field: 'topic',
            in: 'body',
            detail: 'topic is not a known field of the body; remove it.',
          },
        ]).problem,
      },
    }),
    methodNotAllowedResponse,
    ApiProblemResponse(
      413,
      'The message is over DISTILLED_MAX_MESSAGE_BYTES of UTF-8. Nothing was stored.',
      {
        tooLarge: {
          summary: 'Message over the limit',
          value: messageTooLarge(DEFAULT_MAX_MESSAGE_BYTES + 1, DEFAULT_MAX_MESSAGE_BYTES).problem,
        },
      },
    ),
    ApiProblemResponse(415, 'The body is not sent as JSON. Nothing was stored.', {
      notJson: {
        summary: 'Content-Type: text/plain',
        value: unsupportedMediaType('text/plain').problem,
      },
    }),
    ApiProblemResponse(
      503,
      'No leader could take the write (none elected, or too few in-sync replicas). The message was NOT stored; send it again after Retry-After.',
      {
        noLeader: {
          summary: 'No leader',
          value: notStored(
            `The write could not be stored after 0 attempts within the write timeout (${DEFAULT_WRITE_TIMEOUT_MS} ms): No leader is elected right now (an election may be in progress).`,
            null,
          ).problem,
        },
        tooFewInSync: {
          summary: 'Too few in-sync replicas',
          value: notStored(
            `The write could not be stored after 12 attempts within the write timeout (${DEFAULT_WRITE_TIMEOUT_MS} ms): Too few replicas are in sync to commit a write.`,
            'replica-1',
          ).problem,
        },
      },
      retryAfterHeader,
    ),
    ApiProblemResponse(
      504,
      'The write reached a leader but was not confirmed in time: it may or may not be stored. Read the log before retrying, since a retry may store it twice.',
      {
        unknown: {
          summary: 'Leader lost after appending',
          value: outcomeUnknown(
            `The write was not confirmed after 3 attempts within the write timeout (${DEFAULT_WRITE_TIMEOUT_MS} ms): The connection to the leader was lost after the write was sent.`,
            null,
          ).problem,
        },
      },
    ),
  );
}

export function ApiReadProblems(): MethodDecorator {
  return applyDecorators(
    ApiProblemResponse(
      400,
      '`offset` is missing, repeated, or not plain decimal digits from 0 to 2^53-1.',
      {
        missing: {
          summary: 'offset missing',
          value: invalidRequest([
            {
              field: 'offset',
              in: 'query',
              detail:
                'offset is required: write it as plain decimal digits from 0 to 9007199254740991, such as ?offset=0.',
            },
          ]).problem,
        },
        negative: {
          summary: 'offset=-1',
          value: invalidRequest([
            {
              field: 'offset',
              in: 'query',
              detail: 'offset "-1" is negative; offsets start at 0.',
            },
          ]).problem,
        },
        repeated: {
          summary: 'offset=1&offset=2',
          value: invalidRequest([
            { field: 'offset', in: 'query', detail: 'offset was given 2 times; give it once.' },
          ]).problem,
        },
      },
    ),
    ApiProblemResponse(
      404,
      'Nothing is committed at this offset yet; `nextOffset` is where the log ends.',
      {
        notWritten: { summary: 'Past the end of the log', value: offsetNotFound(100, 42).problem },
        empty: { summary: 'The log is empty', value: offsetNotFound(0, 0).problem },
      },
    ),
    ApiProblemResponse(
      410,
      'Retention deleted this offset; `firstOffset` is where the log starts now.',
      { trimmed: { summary: 'Below the log start', value: offsetTrimmed(3, 1000).problem } },
    ),
    methodNotAllowedResponse,
    ApiProblemResponse(
      503,
      'No replica could answer, or none could confirm whether the offset is written.',
      {
        noReplica: {
          summary: 'No replica reachable',
          value: unavailable(
            'No replica is registered in the cluster right now; try again shortly.',
          ).problem,
        },
      },
      retryAfterHeader,
    ),
  );
}
