/**
 * AppendRequest.parts (apps/server/README.md, "Idempotency-Key and Expected-Offset"): several
 * keyed client requests in one append, so the API pays one request and one answer for a group of
 * them instead of one each. Each part keeps its own key, hash, checks, key decision, errors and
 * answer, exactly as an append of its own; the leader decides the parts together, in part
 * order, and the new ones share a record batch as separate keyed appends of one turn do.
 */
import { idempotencyTagProblem, type AppendResult } from '@distilled/log-store';
import {
  compactPartsAnswer,
  type AppendAnswer,
  type AppendBatch,
  type AppendPart,
  type AppendResponse,
} from '@distilled/proto';
import { ReplicaError } from '../errors/replica-error';
import type { KeyedPartRequest, SettlePart } from '../replication/keyed-appends';
import { toCallStatus } from './append-status';

/** Parts one request may carry (the API sends at most its concurrent keyed requests). */
export const MAX_APPEND_PARTS = 10_000;

/** A part's own answer has no parts: frozen empty lists for all of them, not one each. */
const NO_PARTS: AppendAnswer[] = Object.freeze([]) as unknown as AppendAnswer[];
const NO_OFFSETS: number[] = Object.freeze([]) as unknown as number[];

/** The parts of `request`, each with its own messages and key; INVALID_ARGUMENT when they do not add up. */
export function splitParts(request: AppendBatch): KeyedPartRequest[] {
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
  return parts.map((part, index) => {
    const own = part.count === messages.length ? messages : messages.slice(from, from + part.count);
    from += part.count;
    return {
      index,
      messages: own,
      tag: { key: part.idempotency_key ?? '', hash: part.request_hash ?? Buffer.alloc(0) },
    };
  });
}

/**
 * Hands the parts with a valid key to `appendAll` at once, in part order, and answers each as
 * it settles: the request itself succeeds with one answer per part (request_id = the part's
 * index). A part whose key or hash is malformed is answered INVALID_ARGUMENT on its own. When
 * every part succeeded and the client asked for it (compact_parts_answer), the answer is the
 * compact one (libs/proto compact-parts-answer.ts) instead.
 */
export function appendParts(
  request: AppendBatch,
  appendAll: (parts: KeyedPartRequest[], settle: SettlePart) => void,
  /** Each part's failure, to log the unexpected ones. */
  onError: (error: unknown) => void,
): Promise<AppendResponse> {
  let split: KeyedPartRequest[];
  try {
    split = splitParts(request);
  } catch (error) {
    return Promise.reject(error);
  }
  if (split.length === 0) return Promise.resolve(fullAnswer([], [], []));
  const compact = request.compact_parts_answer === true;
  const results = new Array<AppendResult | undefined>(split.length);
  const errors = new Array<unknown>(split.length);
  let failures = 0;
  return new Promise<AppendResponse>((resolve) => {
    let left = split.length;
    const settle: SettlePart = (index, result, error) => {
      if (results[index] !== undefined || index in errors) return; // answered already (never expected)
      if (result) {
        results[index] = result;
      } else {
        onError(error);
        errors[index] = error;
        failures += 1;
      }
      if (--left > 0) return;
      const counts = split.map((part) => part.messages.length);
      const done =
        failures === 0 && compact
          ? compactPartsAnswer(results as AppendResult[], counts)
          : undefined;
      resolve(done ?? fullAnswer(split, results, errors));
    };
    const valid: KeyedPartRequest[] = [];
    for (const part of split) {
      const problem = idempotencyTagProblem(part.tag);
      if (problem) {
        settle(part.index, null, ReplicaError.invalidArgument(`idempotency_key: ${problem}`));
      } else {
        valid.push(part);
      }
    }
    if (valid.length === 0) return;
    try {
      appendAll(valid, settle);
    } catch (error) {
      // A bug below: every part not answered yet gets it as its own failure.
      for (const part of valid) settle(part.index, null, error);
    }
  });
}

/** One AppendAnswer per part (request_id = its index): its result, or its error's status. */
function fullAnswer(
  parts: readonly KeyedPartRequest[],
  results: readonly (AppendResult | undefined)[],
  errors: readonly unknown[],
): AppendResponse {
  const answers = parts.map((part): AppendAnswer => {
    const result = results[part.index];
    if (!result) {
      return { request_id: part.index, result: null, error: toCallStatus(errors[part.index]) };
    }
    return {
      request_id: part.index,
      result: {
        base_offset: result.baseOffset,
        count: result.count,
        duplicate: result.duplicate,
        parts: NO_PARTS,
        part_base_offsets: NO_OFFSETS,
        duplicate_parts: NO_OFFSETS,
      },
      error: null,
    };
  });
  return { base_offset: 0, count: 0, duplicate: false, parts: answers };
}

function isSet(value: number | null | undefined): boolean {
  return value !== undefined && value !== null;
}
