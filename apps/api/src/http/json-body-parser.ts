import type { FastifyInstance, FastifyRequest } from 'fastify';
import { malformedJson } from '../problems';

/** Refuses malformed UTF-8 instead of quietly turning it into U+FFFD inside a message. */
const UTF8 = new TextDecoder('utf-8', { fatal: true });

/** Any structured-syntax `+json` type (RFC 6839), parameters allowed. */
const STRUCTURED_JSON = /^application\/[a-z0-9!#$&^_.-]+\+json\s*(;.*)?$/i;

/**
 * Makes JSON the only body the API reads: Fastify's default parsers (JSON and text/plain) are
 * replaced, so any other Content-Type is answered 415 by Fastify itself, and a body that does not
 * parse becomes a 400 problem whose detail says where it broke.
 */
export function registerJsonBodyParser(instance: FastifyInstance, bodyLimit: number): void {
  instance.removeAllContentTypeParsers();
  const parser = (
    _request: FastifyRequest,
    body: string | Buffer,
    done: (error: Error | null, value?: unknown) => void,
  ): void => {
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
    // property, the validation pipe strips such keys and refuses every field but "message".
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      const reason = error instanceof Error ? error.message.replace(/\.$/, '') : 'unreadable';
      done(malformedJson(`The body is not valid JSON: ${reason}.`));
      return;
    }
    done(null, value);
  };
  const options = { parseAs: 'buffer' as const, bodyLimit };
  instance.addContentTypeParser('application/json', options, parser);
  instance.addContentTypeParser(STRUCTURED_JSON, options, parser);
}
