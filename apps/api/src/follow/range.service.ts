import { Injectable } from '@nestjs/common';
import { RANGE_DEFAULT_LIMIT, RANGE_DEFAULT_MAX_BYTES } from '../constants';
import type { RangeQueryDto } from './dto/range-query.dto';
import { rangePageJson } from './range-page-json';
import { RangeReadAhead } from './range-read-ahead';

/** GET /Data/Range: the query's defaults, then the reader (with its read-ahead), then the JSON answer's bytes. */
@Injectable()
export class RangeService {
  constructor(private readonly reader: RangeReadAhead) {}

  /** The bytes of a RangeResponseDto's JSON (what JSON.stringify of one gives). */
  async read(query: RangeQueryDto): Promise<Buffer> {
    const offset = Number(query.offset);
    const page = await this.reader.read({
      offset,
      limit: query.limit === undefined ? RANGE_DEFAULT_LIMIT : Number(query.limit),
      maxBytes: query.maxBytes === undefined ? RANGE_DEFAULT_MAX_BYTES : Number(query.maxBytes),
      waitMs: query.wait === undefined ? 0 : Number(query.wait) * 1000,
    });
    return rangePageJson(offset, page.messages, page.endOffset);
  }
}
