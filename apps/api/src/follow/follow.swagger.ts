import { applyDecorators } from '@nestjs/common';
import { ApiHeader, ApiProduces, ApiResponse } from '@nestjs/swagger';
import { ApiProblemResponse } from '../problems/api-problem-response.decorator';
import { invalidRequest, unavailable } from '../problems';
import { integerParamProblem } from '../data/dto/integer-param';
import { offsetProblem } from '../data/dto/read-message-query.dto';
import { LIMIT_PARAM, WAIT_PARAM } from './dto/range-query.dto';
import { messageEvent } from './sse-event';

/*
 * The answers of GET /Data/Range and GET /Data/Stream as OpenAPI examples, built with the same
 * factories the API answers with so the documentation cannot drift from what is sent.
 */

const retryAfterHeader = {
  'Retry-After': {
    description: 'Seconds to wait before sending the request again.',
    schema: { type: 'integer' as const },
  },
};

const query = (field: string, detail: string | null) =>
  invalidRequest([{ field, in: 'query', detail: detail ?? '' }]).problem;

const noLeader = ApiProblemResponse(
  503,
  'No replica could answer, or no leader could confirm where the log ends.',
  {
    noReplica: {
      summary: 'No replica reachable',
      value: unavailable('No replica is registered in the cluster right now; try again shortly.')
        .problem,
    },
  },
  retryAfterHeader,
);

export function ApiRangeProblems(): MethodDecorator {
  return applyDecorators(
    ApiProblemResponse(
      400,
      'A parameter is missing (offset), repeated, out of bounds or not plain decimal digits; or an unknown parameter.',
      {
        negative: { summary: 'offset=-1', value: query('offset', offsetProblem('-1')) },
        limitZero: {
          summary: 'limit=0',
          value: query('limit', integerParamProblem(LIMIT_PARAM, '0')),
        },
        waitFraction: {
          summary: 'wait=1.5',
          value: query('wait', integerParamProblem(WAIT_PARAM, '1.5')),
        },
        repeated: {
          summary: 'limit=1&limit=2',
          value: query('limit', integerParamProblem(LIMIT_PARAM, ['1', '2'])),
        },
      },
    ),
    noLeader,
  );
}

const EXAMPLE_EVENTS =
  ': following from offset 0\n\n' +
  messageEvent(0, Buffer.from('hello, log')) +
  messageEvent(1, Buffer.from('{"user":42,"event":"login"}')) +
  ': keep-alive\n\n';

export function ApiStreamDocs(): MethodDecorator {
  return applyDecorators(
    ApiProduces('text/event-stream'),
    ApiHeader({
      name: 'Last-Event-ID',
      required: false,
      description:
        'The id of the last event received (browsers send it by themselves when they reconnect): the stream resumes at the next offset. Wins over `offset`.',
      schema: { type: 'integer', minimum: 0 },
    }),
    ApiResponse({
      status: 200,
      description:
        'Server-sent events, one per committed message from the start on, live, for as long as the connection stays open: `id: <offset>`, `event: message`, `data: {"offset": n, "message": "..."}`. A comment line (`: keep-alive`) at least every 15 s. Never an uncommitted message, never a gap, never a duplicate within one connection, across replica failures and leader changes. A slow client gets its events late and never slows the others.',
      content: {
        'text/event-stream': {
          schema: { type: 'string' },
          example: EXAMPLE_EVENTS,
        },
      },
    }),
    ApiProblemResponse(
      400,
      '`offset` is missing (and no Last-Event-ID), repeated, or neither plain decimal digits nor `end`; or Last-Event-ID is not an offset.',
      {
        missing: { summary: 'no offset', value: query('offset', offsetProblem(undefined)) },
        lastEventId: {
          summary: 'Last-Event-ID: abc',
          value: invalidRequest([
            {
              field: 'Last-Event-ID',
              in: 'header',
              detail:
                'Last-Event-ID "abc" is not a number; write it as plain decimal digits from 0 to 9007199254740990, such as "Last-Event-ID: 41" (the id of the last event received).',
            },
          ]).problem,
        },
      },
    ),
    noLeader,
  );
}
