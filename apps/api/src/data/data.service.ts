import { Inject, Injectable } from '@nestjs/common';
import { apiConfig, type ApiConfig } from '../config';
import { messageTooLarge } from '../problems';
import { IdempotentProducer } from '../replicas/idempotent-producer';
import { ReplicaReader } from '../replicas/replica-reader';
import type { AppendMessageDto, AppendMessageResponseDto } from './dto/append-message.dto';
import type { ReadMessageQueryDto, ReadMessageResponseDto } from './dto/read-message-query.dto';

/** The rules of /Data: the size limit, then the producer (writes) or the reader (reads). */
@Injectable()
export class DataService {
  constructor(
    private readonly producer: IdempotentProducer,
    private readonly reader: ReplicaReader,
    @Inject(apiConfig.KEY) private readonly config: ApiConfig,
  ) {}

  async append(dto: AppendMessageDto): Promise<AppendMessageResponseDto> {
    const bytes = Buffer.from(dto.message, 'utf8');
    // Checked here, not by the body limit: the limit is on the message in UTF-8, and a message
    // of exactly the limit must pass even when JSON escaping makes its body much larger.
    if (bytes.length > this.config.maxMessageBytes) {
      throw messageTooLarge(bytes.length, this.config.maxMessageBytes);
    }
    return { offset: await this.producer.append(bytes) };
  }

  async read(query: ReadMessageQueryDto): Promise<ReadMessageResponseDto> {
    const result = await this.reader.read(Number(query.offset));
    return { message: result.message.toString('utf8'), offset: result.offset };
  }
}
