import { ValidationPipe, type ArgumentMetadata } from '@nestjs/common';
import fastify from 'fastify';
import { AppendMessageDto } from '../data/dto/append-message.dto';
import { ReadMessageQueryDto } from '../data/dto/read-message-query.dto';
import { RangeQueryDto } from '../follow/dto/range-query.dto';
import { ApiValidationPipe, fastTransform } from './api-validation.pipe';

const body: ArgumentMetadata = { type: 'body', metatype: AppendMessageDto };
const query: ArgumentMetadata = { type: 'query', metatype: ReadMessageQueryDto };
const range: ArgumentMetadata = { type: 'query', metatype: RangeQueryDto };

/** The full class-transformer + class-validator path, as the pipe ran it before the fast path. */
const full = new ValidationPipe({
  whitelist: true,
  forbidNonWhitelisted: true,
  forbidUnknownValues: true,
  transform: true,
});

function nullProto<T extends object>(value: T): T {
  return Object.assign(Object.create(null) as T, value);
}

describe('ApiValidationPipe fast path', () => {
  it.each([
    [{ message: 'hello' }, body],
    [{ message: '' }, body],
    [{ message: '😀 ünïcode' }, body],
    [{ offset: '0' }, query],
    [nullProto({ offset: '9007199254740991' }), query],
    [{ offset: '007' }, query],
    [{ offset: '0' }, range],
    [nullProto({ offset: '5', limit: '1000' }), range],
    [{ limit: '10000', offset: '0', maxBytes: '16777216', wait: '60' }, range],
  ])('a valid %j gives the same DTO as the full path', async (value, metadata) => {
    const fast = fastTransform(value, metadata);
    expect(fast).toBeInstanceOf(metadata.metatype as new () => unknown);
    expect(fast).toEqual(await full.transform(value, metadata));
    await expect(new ApiValidationPipe().transform(value, metadata)).resolves.toEqual(fast);
  });

  it.each([
    [{}, body],
    [{ message: null }, body],
    [{ message: 5 }, body],
    [{ message: 'x', extra: 1 }, body],
    [JSON.parse('{"message":"x","__proto__":{"a":1}}') as object, body],
    [{ message: '\ud800' }, body],
    [[{ message: 'x' }], body],
    ['{"message":"x"}', body],
    [{}, query],
    [{ offset: ['1', '2'] }, query],
    [{ offset: '-1' }, query],
    [{ offset: '1.5' }, query],
    [{ offset: '9007199254740992' }, query],
    [{ offset: '1', other: 'x' }, query],
    [{}, range],
    [{ limit: '10' }, range],
    [{ offset: '0', limit: '0' }, range],
    [{ offset: '0', limit: '10001' }, range],
    [{ offset: '0', limit: ['1', '2'] }, range],
    [{ offset: '0', maxBytes: '1.5' }, range],
    [{ offset: '0', wait: '61' }, range],
    [{ offset: '0', limit: '1', other: 'x' }, range],
    [{ offset: '0', constructor: '1' }, range],
    [{ offset: '0', hasOwnProperty: '1' }, range],
    [{ message: 'x' }, { type: 'body', metatype: Object } as ArgumentMetadata],
  ])('%j takes the full path (same errors as before)', (value, metadata) => {
    expect(fastTransform(value, metadata)).toBeUndefined();
  });

  it('invalid input is still refused with a 400 problem', async () => {
    await expect(
      new ApiValidationPipe().transform({ message: 'x', extra: 1 }, body),
    ).rejects.toMatchObject({ status: 400 });
  });
});

describe("ApiValidationPipe fast path with Fastify's own query object", () => {
  it('takes the fast path for the query Fastify parses (not a plain or null-prototype object)', async () => {
    const app = fastify();
    let parsed: unknown;
    app.get('/Data', (request, reply) => {
      parsed = request.query;
      void reply.send({});
    });
    await app.inject({ method: 'GET', url: '/Data?offset=12' });
    await app.close();
    expect(Object.getPrototypeOf(parsed)).not.toBe(Object.prototype);
    const fast = fastTransform(parsed, query);
    expect(fast).toBeInstanceOf(ReadMessageQueryDto);
    expect(fast).toEqual(await full.transform(parsed, query));
  });

  it('still refuses an object whose prototype carries properties', () => {
    const inherited = Object.create({ offset: '1' }) as object;
    expect(
      fastTransform(Object.assign(Object.create(inherited) as object, { offset: '2' }), query),
    ).toBeUndefined();
    function Empty(this: object): void {}
    Empty.prototype = Object.assign(Object.create(null) as object, { other: 'x' });
    const withOwn = Object.assign(new (Empty as unknown as new () => object)(), { offset: '3' });
    expect(fastTransform(withOwn, query)).toBeUndefined();
  });
});
