import { Controller, Get, Header, Headers, Query, Req, Res } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { RangeQueryDto, RangeResponseDto } from './dto/range-query.dto';
import { StreamQueryDto } from './dto/stream-query.dto';
import { ApiRangeProblems, ApiStreamDocs } from './follow.swagger';
import { RangeService } from './range.service';
import { StreamService } from './stream.service';

/** GET /Data/Range and GET /Data/Stream: many messages at once, and the log followed live. */
@ApiTags('Data')
@Controller('Data')
export class FollowController {
  constructor(
    private readonly range: RangeService,
    private readonly stream: StreamService,
  ) {}

  @Get('Range')
  @Header('Cache-Control', 'no-store')
  @ApiOperation({
    summary: 'Read committed messages from an offset',
    description:
      'Up to `limit` messages (default 100, at most 10,000) and `maxBytes` bytes (default 1 MiB, at most 16 MiB; at least one message whenever one is committed at `offset`), in order, from any replica. At or past the end of the log `messages` is empty at once, or, with `wait` (1 to 60 seconds), the request is held until a message is committed at `offset` (answered within ~50 ms of its commit) or the wait runs out. Page on with `offset=nextOffset`.',
  })
  @Header('Content-Type', 'application/json; charset=utf-8')
  @ApiResponse({ status: 200, type: RangeResponseDto, description: 'The messages.' })
  @ApiRangeProblems()
  read(@Query() query: RangeQueryDto): Promise<Buffer> {
    // The JSON of a RangeResponseDto, handed over as bytes (range-page-json.ts): a 1,000-message
    // page is ~130 KB, and as a string Node's response prepends its headers to it (a cons
    // string) and flattens that into a fresh large-object allocation inside the socket write,
    // page faults included: about 0.9 ms more CPU per page than writing a Buffer
    // (bench/RESULTS.md, "The bulk paths").
    return this.range.read(query);
  }

  @Get('Stream')
  @ApiOperation({
    summary: 'Follow the log live (server-sent events)',
    description:
      "Every committed message from `offset` on (or, with `offset=end`, from the next one committed), as it is committed, for as long as the connection stays open. Open it with the browser's `EventSource` or `curl -N`; a reconnect with `Last-Event-ID` resumes right after that event.",
  })
  @ApiStreamDocs()
  async follow(
    @Query() query: StreamQueryDto,
    @Headers('last-event-id') lastEventId: string | undefined,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const start = await this.stream.startOffset(query, lastEventId);
    if (request.method === 'HEAD') {
      // Fastify serves HEAD for every GET route: the head of a stream, without the stream.
      await reply.header('content-type', 'text/event-stream; charset=utf-8').send();
      return;
    }
    // From here on the response is ours: Fastify neither sends nor times it out.
    reply.hijack();
    request.raw.setTimeout(0);
    this.stream.serve(reply.raw, start);
  }
}
