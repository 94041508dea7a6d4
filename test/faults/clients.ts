import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { status as GrpcStatus, type ServiceError } from '@grpc/grpc-js';
import { ErrorMetadata, ErrorReason } from '@distilled/proto';
import type { History, RangePageRecord, ReadRecord, WriteRecord } from './history';
import { FaultTransport } from './transport';

/** A read refused because retention deleted the offset; the log starts at `firstOffset`. */
export interface Trimmed {
  firstOffset: number;
}
export type ReadAnswer = string | null | Trimmed | undefined;

/** The fields of a ReadRecord for an answer (a message, "not there", or trimmed). */
function recorded(answer: string | null | Trimmed): Pick<ReadRecord, 'message' | 'trimmedAt'> {
  if (answer === null || typeof answer === 'string') return { message: answer };
  return { message: null, trimmedAt: answer.firstOffset };
}

/** A client-side deadline above the API's own write timeout, so 504s come from the API. */
const WRITE_DEADLINE_MS = 10_000;

/** After the writers are told to stop, how long one may still retry its last message. */
const FINAL_RETRY_MS = 60_000;

/** POST /Data once and say what became of it (the README's error table decides the kind). */
export async function writeOnce(
  apiUrl: string,
  message: string,
  idempotencyKey?: string,
  transport = FaultTransport.plain,
): Promise<WriteRecord> {
  const start = Date.now();
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (idempotencyKey !== undefined) headers['idempotency-key'] = idempotencyKey;
  try {
    const res = await transport.fetch(`${apiUrl}/Data`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ message }),
      signal: AbortSignal.timeout(WRITE_DEADLINE_MS),
    });
    const text = await res.text();
    const end = Date.now();
    if (res.status >= 200 && res.status < 300) {
      const offset = (JSON.parse(text) as { offset?: unknown }).offset;
      if (typeof offset === 'number') return { kind: 'acked', message, offset, start, end };
      return {
        kind: 'unknown',
        message,
        reason: `${res.status} without an offset: ${text.slice(0, 200)}`,
        start,
        end,
      };
    }
    // 503 and 507 (a full disk) promise the message was not stored (apps/api/README.md).
    if ((res.status >= 400 && res.status < 500) || res.status === 503 || res.status === 507) {
      let detail: string | undefined;
      try {
        detail = (JSON.parse(text) as { detail?: string }).detail;
      } catch {
        detail = text.slice(0, 200);
      }
      return { kind: 'refused', message, status: res.status, start, end, detail };
    }
    return { kind: 'unknown', message, reason: `HTTP ${res.status}`, start, end };
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause?.code;
    const reason = cause ?? (error instanceof Error ? error.name : String(error));
    return { kind: 'unknown', message, reason, start, end: Date.now() };
  }
}

/** Not a final answer for a keyed write: try again with the same key. */
function retryable(write: WriteRecord): boolean {
  return (
    write.kind === 'unknown' || (write.kind === 'refused' && [409, 503].includes(write.status))
  );
}

/**
 * POST /Data under `key` until a final answer (apps/api/README.md, "Batches and safe retries"):
 * every unknown outcome (504, 5xx, a lost connection), 503 and 409 is sent again with the same key,
 * a 507 (full disk, not stored) is final, so the checker can hold the API to "not stored";
 * so the message is stored exactly once whatever happened to the attempts before. Gives up only
 * once `giveUpAt()` has passed; then, if any attempt may have stored it, the outcome is unknown.
 */
export async function writeUntilFinal(
  apiUrl: string,
  message: string,
  key: string,
  giveUpAt: () => number,
  transport = FaultTransport.plain,
): Promise<WriteRecord> {
  const start = Date.now();
  let attempts = 0;
  let diskFullAnswers = 0;
  let maybeStored = false;
  for (;;) {
    const write = await writeOnce(apiUrl, message, key, transport);
    attempts += 1;
    if (write.kind === 'refused' && write.status === 507) diskFullAnswers += 1;
    // 409: an attempt of ours is still in flight, so it may yet be stored.
    if (write.kind === 'unknown' || (write.kind === 'refused' && write.status === 409)) {
      maybeStored = true;
    }
    if (!retryable(write) || Date.now() > giveUpAt()) {
      if (write.kind === 'refused' && maybeStored) {
        const reason = `gave up after ${attempts} attempts; the last was refused ${write.status}, an earlier one may have stored it`;
        return {
          kind: 'unknown',
          message,
          reason,
          start,
          end: write.end,
          key,
          attempts,
          diskFullAnswers,
        };
      }
      return { ...write, start, key, attempts, diskFullAnswers };
    }
    await sleep(50 + Math.random() * 100);
  }
}

/**
 * `workers` closed-loop writers appending unique messages (`<prefix>-w<worker>-<n>`) through
 * the API until stop(), each with its own Idempotency-Key and retried until its outcome is final
 * (writeUntilFinal); one record per message goes into the history. stop() lets each writer
 * finish the message it is on, retrying it for at most `graceMs` (a minute by default; an
 * abandoned run passes 0: one last attempt each, so it ends at once).
 */
export function startWriters(
  apiUrl: string,
  history: History,
  options: {
    workers: number;
    prefix: string;
    pauseMs?: number;
    /** One attempt per message, no key: for suites that count what each moment answers. */
    once?: boolean;
    transport?: FaultTransport;
  },
): { stop: (graceMs?: number) => Promise<void> } {
  let stopped = false;
  let giveUpAt = Infinity;
  const worker = async (w: number) => {
    for (let n = 0; !stopped; n++) {
      const message = `${options.prefix}-w${w}-${n}`;
      // The key names the message, within the 255 characters a key may have (the retention run
      // pads its prefix to fill segments fast).
      const key = `key-${createHash('sha256').update(message).digest('hex')}`;
      const write = options.once
        ? await writeOnce(apiUrl, message, undefined, options.transport)
        : await writeUntilFinal(apiUrl, message, key, () => giveUpAt, options.transport);
      history.writes.push(write);
      // Back off a little after a failure, so a down API is not hammered in a tight loop.
      if (write.kind !== 'acked') await sleep(50 + Math.random() * 100);
      else if (options.pauseMs) await sleep(options.pauseMs);
    }
  };
  const running = Promise.all(Array.from({ length: options.workers }, (_, w) => worker(w)));
  return {
    stop: async (graceMs = FINAL_RETRY_MS) => {
      stopped = true;
      // The earliest limit holds: a later stop() does not extend an abandoned run's.
      giveUpAt = Math.min(giveUpAt, Date.now() + graceMs);
      await running;
    },
  };
}

/** GET /Data?offset=n: the message, null for 404, undefined for anything else. */
export async function readThroughApi(
  apiUrl: string,
  offset: number,
  transport = FaultTransport.plain,
): Promise<ReadAnswer> {
  try {
    const res = await transport.fetch(`${apiUrl}/Data?offset=${offset}`, {
      signal: AbortSignal.timeout(5_000),
    });
    const text = await res.text();
    if (res.status === 200) return (JSON.parse(text) as { message: string }).message;
    if (res.status === 404) return null;
    if (res.status === 410) return { firstOffset: (JSON.parse(text) as Trimmed).firstOffset };
    return undefined;
  } catch {
    return undefined;
  }
}

/** Replica.Read straight from one replica: the message, null when not committed there. */
export async function readDirect(
  address: string,
  offset: number,
  transport = FaultTransport.plain,
): Promise<ReadAnswer> {
  try {
    const answer = await transport.readReplica(address, offset);
    return Buffer.from(answer.message).toString('utf8');
  } catch (error) {
    const failure = error as ServiceError;
    if (failure.code === GrpcStatus.OUT_OF_RANGE) {
      const metadata = failure.metadata?.get.bind(failure.metadata);
      if (metadata && String(metadata(ErrorMetadata.reason)[0]) === ErrorReason.OffsetTrimmed) {
        return { firstOffset: Number(metadata(ErrorMetadata.logStartOffset)[0]) };
      }
      return null;
    }
    return undefined;
  }
}

/**
 * One reader during the run: random offsets among those already acknowledged, through the
 * API, so the checker can see a conflict or an acknowledged write that is not readable.
 */
export function startLiveReader(
  apiUrl: string,
  history: History,
  transport = FaultTransport.plain,
): { stop: () => Promise<void> } {
  let stopped = false;
  const loop = async () => {
    while (!stopped) {
      let pick: WriteRecord | undefined;
      for (let i = 0; i < 20 && pick?.kind !== 'acked'; i++) {
        pick = history.writes[Math.floor(Math.random() * history.writes.length)];
      }
      if (pick?.kind !== 'acked') {
        await sleep(100);
        continue;
      }
      const start = Date.now();
      const message = await readThroughApi(apiUrl, pick.offset, transport);
      if (message !== undefined) {
        history.reads.push({
          source: 'api (during run)',
          offset: pick.offset,
          ...recorded(message),
          start,
          end: Date.now(),
        });
      } else {
        await sleep(100);
      }
      await sleep(20);
    }
  };
  const running = loop();
  return {
    stop: async () => {
      stopped = true;
      await running;
    },
  };
}

/** What GET /Data/Range was asked: `maxBytes` and `waitSeconds` only when sent. */
export interface RangeAsk {
  offset: number;
  limit: number;
  maxBytes?: number;
  waitSeconds?: number;
}

/** GET /Data/Range once: a 200 page or a 410 as a RangePageRecord, undefined for anything else. */
export async function readRangeThroughApi(
  apiUrl: string,
  ask: RangeAsk,
  source: string,
  transport = FaultTransport.plain,
): Promise<RangePageRecord | undefined> {
  const query = new URLSearchParams({ offset: String(ask.offset), limit: String(ask.limit) });
  if (ask.maxBytes !== undefined) query.set('maxBytes', String(ask.maxBytes));
  if (ask.waitSeconds !== undefined) query.set('wait', String(ask.waitSeconds));
  const start = Date.now();
  try {
    const res = await transport.fetch(`${apiUrl}/Data/Range?${query}`, {
      signal: AbortSignal.timeout(5_000 + (ask.waitSeconds ?? 0) * 1000),
    });
    const text = await res.text();
    const end = Date.now();
    if (res.status === 200) {
      const body = JSON.parse(text) as {
        messages: Array<{ offset: number; message: string }>;
        nextOffset: number;
      };
      return { source, ...ask, messages: body.messages, nextOffset: body.nextOffset, start, end };
    }
    if (res.status === 410) {
      const { firstOffset } = JSON.parse(text) as Trimmed;
      return { source, ...ask, messages: [], trimmedAt: firstOffset, start, end };
    }
    return undefined;
  } catch {
    return undefined;
  }
}

/** The next page a range reader asks for: mostly the previous limit and maxBytes, else random ones (limit 1-1000, sometimes maxBytes); at the end, sometimes a wait. */
function nextAsk(offset: number, atEnd: boolean, previous: RangeAsk | undefined): RangeAsk {
  // Mostly the previous page's limit and maxBytes, as a drain asks: what the API's read-ahead
  // holds and serves (follow/range-read-ahead.ts), so its pages meet every fault too.
  const keep = previous !== undefined && Math.random() < 0.7;
  const ask: RangeAsk = {
    offset,
    limit: keep ? previous.limit : 1 + Math.floor(Math.random() * 1000),
  };
  if (keep ? previous.maxBytes !== undefined : Math.random() < 0.3) {
    ask.maxBytes = keep ? previous.maxBytes : 1 + Math.floor(Math.random() * 20_000);
  }
  // At the end of the log, a long-poll now and then: it must answer with what is committed next.
  if (atEnd && Math.random() < 0.5) ask.waitSeconds = 1 + Math.floor(Math.random() * 2);
  return ask;
}

/**
 * `readers` closed-loop readers paging through the log with GET /Data/Range from offset 0 (or,
 * now and then, from a random acknowledged offset), following each page's nextOffset; at the
 * end of the log they long-poll now and then; a 410 sends them on from the start it named.
 * Every 200 and 410 goes into history.rangePages for the checker (range-checker.ts).
 */
export function startRangeReaders(
  apiUrl: string,
  history: History,
  readers: number,
  transport = FaultTransport.plain,
): { stop: () => Promise<void> } {
  let stopped = false;
  const randomAcked = (): number => {
    for (let i = 0; i < 20; i++) {
      const pick = history.writes[Math.floor(Math.random() * history.writes.length)];
      if (pick?.kind === 'acked') return pick.offset;
    }
    return 0;
  };
  const loop = async (r: number) => {
    const source = `range reader ${r + 1}`;
    let offset = 0;
    let atEnd = false;
    let previous: RangeAsk | undefined;
    while (!stopped) {
      previous = nextAsk(offset, atEnd, previous);
      const page = await readRangeThroughApi(apiUrl, previous, source, transport);
      if (page === undefined) {
        await sleep(100);
        continue;
      }
      history.rangePages.push(page);
      if (page.trimmedAt !== undefined) {
        offset = page.trimmedAt;
      } else if (page.messages.length > 0) {
        offset = page.offset + page.messages.length;
        atEnd = false;
      } else {
        atEnd = true;
      }
      // Now and then (more often once caught up) go back and page through part of the log
      // again: long pages of settled messages as well as short ones at the moving tail.
      if (Math.random() < (atEnd ? 0.5 : 0.02)) {
        offset = Math.random() < 0.5 ? 0 : randomAcked();
        atEnd = false;
      }
      // Paced like the live reader: the pages check the log, they are not a load test.
      await sleep(50);
    }
  };
  const running = Promise.all(Array.from({ length: readers }, (_, r) => loop(r)));
  return {
    stop: async () => {
      stopped = true;
      await running;
    },
  };
}

/**
 * Reads offsets [0, end) from one source with bounded concurrency, retrying answers that are
 * neither a message nor "not there" (a replica or the API still settling) a few times.
 */
export async function readAll(
  source: string,
  end: number,
  read: (offset: number) => Promise<ReadAnswer>,
  concurrency = 32,
  signal?: AbortSignal,
): Promise<{ reads: ReadRecord[]; failed: number[] }> {
  const reads: ReadRecord[] = [];
  const failed: number[] = [];
  let next = 0;
  const worker = async () => {
    while (next < end && !signal?.aborted) {
      const offset = next++;
      const start = Date.now();
      let message: ReadAnswer;
      for (let attempt = 0; attempt < 5 && message === undefined; attempt++) {
        if (attempt > 0) await sleep(200 * attempt);
        message = await read(offset);
      }
      if (message === undefined) failed.push(offset);
      else reads.push({ source, offset, ...recorded(message), start, end: Date.now() });
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return { reads, failed };
}
