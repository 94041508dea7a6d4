import { Injectable } from '@nestjs/common';
import { ReplicaReader } from '../replicas/replica-reader';
import type { ReadMessageQueryDto, ReadMessageResponseDto } from './dto/read-message-query.dto';

/** The reads of /Data (writes are WritesService's): the reader. */
@Injectable()
export class DataService {
  constructor(private readonly reader: ReplicaReader) {}

  async read(query: ReadMessageQueryDto): Promise<ReadMessageResponseDto> {
    const result = await this.reader.read(Number(query.offset));
    return { message: result.message.toString('utf8'), offset: result.offset };
  }
}
