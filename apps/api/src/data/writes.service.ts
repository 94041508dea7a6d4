import { Inject, Injectable } from '@nestjs/common';
import { apiConfig, type ApiConfig } from '../config';
import { messageTooLarge } from '../problems';
import { ConditionalWriter } from '../replicas/conditional-writer';
import { IdempotentProducer } from '../replicas/idempotent-producer';
import { checkBatchMessages } from './batch-messages';
import type { AppendBatchDto, AppendBatchResponseDto } from './dto/append-batch.dto';
import type { AppendMessageDto, AppendMessageResponseDto } from './dto/append-message.dto';
import type { WriteAnswer, WriteConditions } from './write-headers';

function conditional(conditions: WriteConditions): boolean {
  return conditions.idempotencyKey !== undefined || conditions.expectedOffset !== undefined;
}

/**
 * The rules of POST /Data and POST /Data/Batch: size limits, then the producer for plain writes
 * (coalesced with other clients' writes, a batch kept whole) or the conditional writer for
 * writes with an Idempotency-Key or Expected-Offset (one Append each, decided by the leader).
 */
@Injectable()
export class WritesService {
  constructor(
    private readonly producer: IdempotentProducer,
    private readonly conditionalWriter: ConditionalWriter,
    @Inject(apiConfig.KEY) private readonly config: ApiConfig,
  ) {}

  async appendMessage(
    dto: AppendMessageDto,
    conditions: WriteConditions,
  ): Promise<WriteAnswer<AppendMessageResponseDto>> {
    const bytes = Buffer.from(dto.message, 'utf8');
    // Checked here, not by the body limit: the limit is on the message in UTF-8, and a message
    // of exactly the limit must pass even when JSON escaping makes its body much larger.
    if (bytes.length > this.config.maxMessageBytes) {
      throw messageTooLarge(bytes.length, this.config.maxMessageBytes);
    }
    if (!conditional(conditions)) {
      return { body: { offset: await this.producer.append(bytes) }, replayed: false };
    }
    const result = await this.conditionalWriter.write([bytes], 'message', conditions);
    return { body: { offset: result.baseOffset }, replayed: result.replayed };
  }

  async appendBatch(
    dto: AppendBatchDto,
    conditions: WriteConditions,
  ): Promise<WriteAnswer<AppendBatchResponseDto>> {
    const messages = checkBatchMessages(dto.messages, this.config);
    if (!conditional(conditions)) {
      const firstOffset = await this.producer.appendAll(messages);
      return { body: { firstOffset, count: messages.length }, replayed: false };
    }
    const result = await this.conditionalWriter.write(messages, 'batch', conditions);
    return {
      body: { firstOffset: result.baseOffset, count: result.count },
      replayed: result.replayed,
    };
  }
}
