/**
 * The two request headers that make a write safe to retry or conditional (apps/api/README.md,
 * "Batches and safe retries"): `Idempotency-Key` and `Expected-Offset`, on POST /Data and
 * POST /Data/Batch. A bad value is a 400 naming the header, and nothing is stored.
 */
import type { FastifyReply } from 'fastify';
import { MAX_IDEMPOTENCY_KEY_LENGTH, MAX_OFFSET } from '../constants';
import { invalidRequest, type FieldProblem } from '../problems';

export const IDEMPOTENCY_KEY_HEADER = 'Idempotency-Key';
export const EXPECTED_OFFSET_HEADER = 'Expected-Offset';
export const IDEMPOTENT_REPLAYED_HEADER = 'Idempotent-Replayed';

export interface WriteConditions {
  idempotencyKey?: string;
  expectedOffset?: number;
}

type HeaderValue = string | string[] | undefined;

/** What a write answers, and whether it repeats the answer of an earlier request (its key). */
export interface WriteAnswer<T> {
  body: T;
  replayed: boolean;
}

/** The body to send, with `Idempotent-Replayed: true` set on `reply` for a replay. */
export function answerWrite<T>(reply: FastifyReply, answer: WriteAnswer<T>): T {
  if (answer.replayed) reply.header(IDEMPOTENT_REPLAYED_HEADER, 'true');
  return answer.body;
}

const VISIBLE_ASCII = /^[\x21-\x7e]+$/;
const MAX_DIGITS = String(MAX_OFFSET);

function shown(value: string): string {
  return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
}

/** Why `value` is not an Idempotency-Key, or null when it is one. */
export function idempotencyKeyProblem(value: HeaderValue): string | null {
  if (Array.isArray(value)) return `Idempotency-Key was sent ${value.length} times; send it once.`;
  if (value === undefined) return null;
  if (value === '') return 'Idempotency-Key is empty; send 1 to 255 visible ASCII characters.';
  if (value.length > MAX_IDEMPOTENCY_KEY_LENGTH) {
    return `Idempotency-Key has ${value.length} characters; at most ${MAX_IDEMPOTENCY_KEY_LENGTH} are allowed.`;
  }
  if (!VISIBLE_ASCII.test(value)) {
    return `Idempotency-Key ${shown(value)} has a character that is not visible ASCII (spaces, commas from a repeated header, and non-ASCII are not allowed).`;
  }
  return null;
}

/** Why `value` is not an Expected-Offset, or null when it is one. */
export function expectedOffsetProblem(value: HeaderValue): string | null {
  if (Array.isArray(value)) return `Expected-Offset was sent ${value.length} times; send it once.`;
  if (value === undefined) return null;
  const how = `send plain decimal digits from 0 to ${MAX_DIGITS}`;
  if (!/^\d+$/.test(value)) return `Expected-Offset ${shown(value)} is not a whole number; ${how}.`;
  const digits = value.replace(/^0+(?=\d)/, '');
  if (
    digits.length > MAX_DIGITS.length ||
    (digits.length === MAX_DIGITS.length && digits > MAX_DIGITS)
  ) {
    return `Expected-Offset ${shown(value)} is above the largest possible offset, ${MAX_DIGITS}.`;
  }
  return null;
}

/** Reads both headers; throws one 400 listing every bad one. */
export function parseWriteHeaders(key: HeaderValue, expected: HeaderValue): WriteConditions {
  const errors: FieldProblem[] = [];
  const keyProblem = idempotencyKeyProblem(key);
  if (keyProblem) errors.push({ field: IDEMPOTENCY_KEY_HEADER, in: 'header', detail: keyProblem });
  const offsetProblem = expectedOffsetProblem(expected);
  if (offsetProblem) {
    errors.push({ field: EXPECTED_OFFSET_HEADER, in: 'header', detail: offsetProblem });
  }
  if (errors.length > 0) throw invalidRequest(errors);
  const conditions: WriteConditions = {};
  if (typeof key === 'string') conditions.idempotencyKey = key;
  if (typeof expected === 'string') conditions.expectedOffset = Number(expected);
  return conditions;
}
