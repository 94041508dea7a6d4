import { Body, Controller, Header, Headers, HttpCode, Post, Res } from '@nestjs/common';
import { ApiBody, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { AppendBatchDto, AppendBatchResponseDto } from './dto/append-batch.dto';
import { ApiAppendProblems } from './data.swagger';
import { ApiBatchProblems, ApiWriteHeaders, IDEMPOTENT_REPLAYED_DOC } from './write.swagger';
import { answerWrite, parseWriteHeaders } from './write-headers';
import { WritesService } from './writes.service';

@ApiTags('Data')
@Controller('Data')
export class BatchController {
  constructor(private readonly writes: WritesService) {}

  @Post('Batch')
  @HttpCode(201)
  @Header('Cache-Control', 'no-store')
  @ApiOperation({
    summary: 'Append several messages atomically',
    description:
      'Stores every message at contiguous offsets firstOffset .. firstOffset+count-1, in order, and answers once all are committed; ' +
      'all of them or none are stored, also when the leader fails meanwhile. One bad element refuses the whole batch. ' +
      '503 means nothing was stored; 504 means all or nothing may have been (retry with the same Idempotency-Key to find out safely).',
  })
  @ApiBody({
    type: AppendBatchDto,
    examples: {
      three: { summary: 'Three messages', value: { messages: ['a', 'b', 'c'] } },
      events: {
        summary: 'JSON events as strings',
        value: { messages: ['{"user":1,"event":"login"}', '{"user":1,"event":"logout"}'] },
      },
    },
  })
  @ApiResponse({
    status: 201,
    type: AppendBatchResponseDto,
    description: 'Committed, all of them.',
    headers: IDEMPOTENT_REPLAYED_DOC,
  })
  // Above ApiAppendProblems: decorators apply bottom-up, so this 400 and 413 replace its ones.
  @ApiBatchProblems()
  @ApiAppendProblems()
  @ApiWriteHeaders()
  async appendBatch(
    @Body() body: AppendBatchDto,
    @Headers('idempotency-key') key: string | undefined,
    @Headers('expected-offset') expected: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<AppendBatchResponseDto> {
    return answerWrite(
      reply,
      await this.writes.appendBatch(body, parseWriteHeaders(key, expected)),
    );
  }
}
