import { Injectable } from '@nestjs/common';
import { RANGE_DEFAULT_LIMIT, RANGE_DEFAULT_MAX_BYTES } from '../constants';
import type { RangeQueryDto, RangeResponseDto } from './dto/range-query.dto';
import { RangeReader } from './range-reader';

/** GET /Data/Range: the query's defaults, then the reader, then the JSON answer. */
@Injectable()
export class RangeService {
  constructor(private readonly reader: RangeReader) {}

  async read(query: RangeQueryDto): Promise<RangeResponseDto> {
    const offset = Number(query.offset);
    const page = await this.reader.read({
      offset,
      limit: query.limit === undefined ? RANGE_DEFAULT_LIMIT : Number(query.limit),
      maxBytes: query.maxBytes === undefined ? RANGE_DEFAULT_MAX_BYTES : Number(query.maxBytes),
      waitMs: query.wait === undefined ? 0 : Number(query.wait) * 1000,
    });
    return {
      messages: page.messages.map((message, i) => ({
        offset: offset + i,
        message: message.toString('utf8'),
      })),
      nextOffset: offset + page.messages.length,
      endOffset: page.endOffset,
    };
  }
}
