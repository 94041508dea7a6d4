import { Controller, Get, Param, Req, Res } from '@nestjs/common';
import {
  ApiExcludeEndpoint,
  ApiOkResponse,
  ApiOperation,
  ApiProduces,
  ApiTags,
} from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { problemType, ProblemType } from '../problems';
import { AuthScope } from '../auth/scope.decorator';
import { ApiProblemResponse } from '../problems/api-problem-response.decorator';
import { ConsoleAssets } from './console-assets';
import { ConsoleFeed } from './console-feed.service';

const tooManyStreams = {
  tooMany: {
    summary: 'Too many console streams',
    value: {
      type: problemType(ProblemType.unavailable),
      title: 'Service unavailable',
      status: 503,
      detail: '100 console streams are open already; close a console tab or try again later.',
      leader: null,
    },
  },
};

/** The live console: its page and assets, and the stream of frames the page draws. */
@ApiTags('Console')
@Controller('ui')
export class ConsoleController {
  constructor(
    private readonly feed: ConsoleFeed,
    private readonly assets: ConsoleAssets,
  ) {}

  // The page and its assets hold no data and a browser cannot send a key with a page load: they
  // are open; the feed below needs the read scope like every other GET.
  @Get()
  @AuthScope('public')
  @ApiOperation({
    summary: 'The live console (HTML page)',
    description:
      'Replicas, ISR, log ranges, the leader and its changes, traffic, latency and the newest messages, live. Works offline: every asset is served by the API.',
  })
  @ApiProduces('text/html')
  @ApiOkResponse({ description: 'The page; it then reads GET /ui/events.' })
  page(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    return this.assets.send(request, reply, 'index.html');
  }

  @Get('assets/:file')
  @AuthScope('public')
  @ApiExcludeEndpoint()
  asset(
    @Param('file') file: string,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    return this.assets.send(request, reply, `assets/${file}`);
  }

  @Get('events')
  @ApiOperation({
    summary: 'The console feed (Server-Sent Events)',
    description:
      'One shared feed in the API, pushed every second: `event: snapshot` first (the whole state and five minutes of traffic), then `event: update` (the state and the newest traffic sample). A client too slow to take a frame is skipped, not queued, and gets a snapshot next. The shape is `ConsoleState` in apps/api/src/console/console-frame.ts.',
  })
  @ApiProduces('text/event-stream')
  @ApiOkResponse({ description: 'A stream of `snapshot` and `update` events, JSON in `data`.' })
  @ApiProblemResponse(503, 'Too many console streams are open.', tooManyStreams)
  events(@Req() request: FastifyRequest, @Res() reply: FastifyReply): void {
    this.feed.admit();
    reply.hijack();
    const response = reply.raw;
    response.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      connection: 'keep-alive',
      // Tells nginx and the like not to buffer the stream.
      'x-accel-buffering': 'no',
    });
    if (request.method === 'HEAD') {
      response.end();
      return;
    }
    response.write('retry: 2000\n\n');
    const unsubscribe = this.feed.subscribe(response);
    response.once('close', unsubscribe);
  }
}
