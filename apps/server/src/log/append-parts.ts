/**
 * AppendRequest.parts (apps/server/README.md, "Idempotency-Key and Expected-Offset"): several
 * keyed client requests in one append, so the API pays one request and one answer for a group of
 * them instead of one each. Each part is split off and appended exactly as an append of its own
 * carrying its key and hash (same checks, same key decision, same errors), in part order, so the
 * parts the leader accepts share a record batch as separate keyed appends of one turn do.
 */
import type { AppendResult } from '@distilled/log-store';
import type { AppendAnswer, AppendBatch, AppendPart, AppendResponse } from '@distilled/proto';
import { ReplicaError } from '../errors/replica-error';
import { toCallStatus } from './append-status';

/** Parts one request may carry (the API sends at most its concurrent keyed requests). */
export const MAX_APPEND_PARTS = 10_000;

/** A part's own answer has no parts: one frozen empty list for all of them, not one each. */
const NO_PARTS: AppendAnswer[] = Object.freeze([]) as unknown as AppendAnswer[];

/** The parts of `request` as appends of their own; INVALID_ARGUMENT when they do not add up. */
export function splitParts(request: AppendBatch): AppendBatch[] {
  const parts: AppendPart[] = request.parts ?? [];
  const messages = request.messages ?? [];
  if (request.producer_id || request.idempotency_key || isSet(request.expected_offset)) {
    throw ReplicaError.invalidArgument(
      'an Append with parts carries no producer, idempotency_key or expected_offset of its own',
    );
  }
  if (parts.length > MAX_APPEND_PARTS) {
    throw ReplicaError.invalidArgument(
      `an Append takes at most ${MAX_APPEND_PARTS} parts (got ${parts.length})`,
    );
  }
  let total = 0;
  for (const part of parts) {
    if (!Number.isSafeInteger(part.count) || part.count < 1) {
      throw ReplicaError.invalidArgument(`a part needs at least one message (got ${part.count})`);
    }
    total += part.count;
  }
  if (total !== messages.length) {
    throw ReplicaError.invalidArgument(
      `the parts count ${total} messages, the request carries ${messages.length}`,
    );
  }
  let from = 0;
  return parts.map((part) => {
    const own = messages.slice(from, from + part.count);
    from += part.count;
    return {
      messages: own,
      producer_id: 0,
      sequence: 0,
      idempotency_key: part.idempotency_key,
      request_hash: part.request_hash,
    };
  });
}

/**
 * Appends every part through `appendOne`, started in part order, and answers each: the
 * request itself succeeds with one answer per part (request_id = the part's index). Each
 * part's answer is filled in as it settles (no Promise.allSettled and result objects per part).
 */
export function appendParts(
  request: AppendBatch,
  appendOne: (part: AppendBatch) => Promise<AppendResult>,
  /** Each part's failure, to log the unexpected ones. */
  onError: (error: unknown) => void,
): Promise<AppendResponse> {
  let split: AppendBatch[];
  try {
    split = splitParts(request);
  } catch (error) {
    return Promise.reject(error);
  }
  const parts: AppendAnswer[] = new Array<AppendAnswer>(split.length);
  if (split.length === 0)
    return Promise.resolve({ base_offset: 0, count: 0, duplicate: false, parts });
  return new Promise<AppendResponse>((resolve) => {
    let left = split.length;
    const answered = (index: number, answer: AppendAnswer) => {
      parts[index] = answer;
      if (--left === 0) resolve({ base_offset: 0, count: 0, duplicate: false, parts });
    };
    split.forEach((part, index) => {
      appendOne(part).then(
        (value) =>
          answered(index, {
            request_id: index,
            result: {
              base_offset: value.baseOffset,
              count: value.count,
              duplicate: value.duplicate,
              parts: NO_PARTS,
            },
            error: null,
          }),
        (error: unknown) => {
          onError(error);
          answered(index, { request_id: index, result: null, error: toCallStatus(error) });
        },
      );
    });
  });
}

function isSet(value: number | null | undefined): boolean {
  return value !== undefined && value !== null;
}
