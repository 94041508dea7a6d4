import { Body, Controller, Get, Header, Headers, HttpCode, Post, Query, Res } from '@nestjs/common';
import { ApiBody, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { AppendMessageDto, AppendMessageResponseDto } from './dto/append-message.dto';
import { ReadMessageQueryDto, ReadMessageResponseDto } from './dto/read-message-query.dto';
import { DataService } from './data.service';
import { ApiAppendProblems, ApiReadProblems } from './data.swagger';
import { ApiWriteHeaders, IDEMPOTENT_REPLAYED_DOC } from './write.swagger';
import { answerWrite, parseWriteHeaders } from './write-headers';
import { WritesService } from './writes.service';

@ApiTags('Data')
@Controller('Data')
export class DataController {
  constructor(
    private readonly data: DataService,
    private readonly writes: WritesService,
  ) {}

  @Post()
  @HttpCode(201)
  @Header('Cache-Control', 'no-store')
  @ApiOperation({
    summary: 'Append a message to the log',
    description:
      'Answers 201 with the offset once the message is committed (held by enough in-sync replicas). ' +
      'Concurrent writes are batched into one replica call. 503 means the message was NOT stored; ' +
      '504 means it may or may not have been (read the log before retrying).',
  })
  @ApiBody({
    type: AppendMessageDto,
    examples: {
      text: { summary: 'A short text', value: { message: 'hello, log' } },
      empty: { summary: 'The empty message is allowed', value: { message: '' } },
      json: { summary: 'JSON inside a string', value: { message: '{"user":42,"event":"login"}' } },
    },
  })
  @ApiResponse({
    status: 201,
    type: AppendMessageResponseDto,
    description: 'Committed.',
    headers: IDEMPOTENT_REPLAYED_DOC,
  })
  @ApiAppendProblems()
  @ApiWriteHeaders()
  async append(
    @Body() body: AppendMessageDto,
    @Headers('idempotency-key') key: string | undefined,
    @Headers('expected-offset') expected: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<AppendMessageResponseDto> {
    return answerWrite(
      reply,
      await this.writes.appendMessage(body, parseWriteHeaders(key, expected)),
    );
  }

  @Get()
  @ApiOperation({
    summary: 'Read the message at an offset',
    description:
      'Any committed offset, from any replica. 404 when nothing is committed there yet; ' +
      '`nextOffset` then says where the log ends.',
  })
  @ApiResponse({ status: 200, type: ReadMessageResponseDto, description: 'The message.' })
  @ApiReadProblems()
  read(@Query() query: ReadMessageQueryDto): Promise<ReadMessageResponseDto> {
    return this.data.read(query);
  }
}
