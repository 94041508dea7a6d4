import type { FastifyInstance, FastifyRequest } from 'fastify';
import { MAX_JSON_DEPTH, MAX_JSON_OBJECT_FIELDS, MAX_JSON_VALUES } from '../constants';
import { jsonTooComplex, malformedJson } from '../problems';
import { jsonStructureProblem, type JsonStructureLimits } from './json-structure';
import { protoKeyProblem } from './proto-key';

/** Refuses malformed UTF-8 instead of quietly turning it into U+FFFD inside a message. */
const UTF8 = new TextDecoder('utf-8', { fatal: true });

/** Any structured-syntax `+json` type (RFC 6839), parameters allowed. */
const STRUCTURED_JSON = /^application\/[a-z0-9!#$&^_.-]+\+json\s*(;.*)?$/i;

const STRUCTURE_LIMITS: JsonStructureLimits = {
  depth: MAX_JSON_DEPTH,
  objectFields: MAX_JSON_OBJECT_FIELDS,
  values: MAX_JSON_VALUES,
};

/**
 * Makes JSON the only body the API reads: Fastify's default parsers (JSON and text/plain) are
 * replaced, so any other Content-Type is answered 415 by Fastify itself, a body that does not
 * parse becomes a 400 problem whose detail says where it broke, and one nested too deeply or
 * holding too many fields or values is refused before it is parsed at all (json-structure.ts).
 */
export function registerJsonBodyParser(instance: FastifyInstance, bodyLimit: number): void {
  instance.removeAllContentTypeParsers();
  const parser = (
    _request: FastifyRequest,
    body: string | Buffer,
    done: (error: Error | null, value?: unknown) => void,
  ): void => {
    const structure = jsonStructureProblem(
      typeof body === 'string' ? Buffer.from(body) : body,
      STRUCTURE_LIMITS,
    );
    if (structure !== null) {
      done(jsonTooComplex(structure));
      return;
    }
    let text: string;
    try {
      text = typeof body === 'string' ? body : UTF8.decode(body);
    } catch {
      done(malformedJson('The body is not valid UTF-8; JSON must be sent as UTF-8 (RFC 8259).'));
      return;
    }
    if (text.trim() === '') {
      done(malformedJson('The body is empty; send a JSON object such as {"message": "hello"}.'));
      return;
    }
    // Plain JSON.parse rather than Fastify's parser: its error names the position, which helps
    // the sender, and prototype poisoning cannot reach us: JSON.parse makes "__proto__" an own
    // property, which protoKeyProblem refuses like any unknown field.
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      const reason = error instanceof Error ? error.message.replace(/\.$/, '') : 'unreadable';
      done(malformedJson(`The body is not valid JSON: ${reason}.`));
      return;
    }
    const shape = protoKeyProblem(value);
    if (shape) done(shape);
    else done(null, value);
  };
  const options = { parseAs: 'buffer' as const, bodyLimit };
  instance.addContentTypeParser('application/json', options, parser);
  instance.addContentTypeParser(STRUCTURED_JSON, options, parser);
}
