import { setTimeout as sleep } from 'node:timers/promises';
import { status as GrpcStatus } from '@grpc/grpc-js';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { ErrorReason } from '@distilled/proto';
import { createTestApp, injector } from '../testing/create-test-app';
import {
  callError,
  unreachableError,
  type AppendBehaviour,
  type FakeReplicaGateway,
} from '../testing/fake-replica-gateway';
import { BATCH_REQUESTS_IN_FLIGHT, MAX_BATCH_MESSAGES, MIN_ATTEMPT_MS } from '../constants';
import { IdempotentProducer } from './idempotent-producer';

const fail =
  (
    code: number,
    reason: ErrorReason | null,
    delivery: 'not-sent' | 'maybe-sent' = 'maybe-sent',
  ): AppendBehaviour =>
  (replica) =>
    callError(replica, code, reason, { delivery });

const notLeader = fail(GrpcStatus.FAILED_PRECONDITION, ErrorReason.NotLeader);
const notEnoughReplicas = fail(GrpcStatus.UNAVAILABLE, ErrorReason.NotEnoughReplicas);
const shuttingDown = fail(GrpcStatus.UNAVAILABLE, ErrorReason.ShuttingDown);
const noLeader = fail(GrpcStatus.UNAVAILABLE, ErrorReason.NoLeader);
const commitTimeout = fail(GrpcStatus.DEADLINE_EXCEEDED, ErrorReason.CommitTimeout);
const leadershipLost = fail(GrpcStatus.ABORTED, ErrorReason.LeadershipLost);
const neverSent: AppendBehaviour = (replica) => unreachableError(replica);
const connectionLost = fail(GrpcStatus.UNAVAILABLE, null, 'maybe-sent');
const deadlineExceeded = fail(GrpcStatus.DEADLINE_EXCEEDED, null);
const invalid = fail(GrpcStatus.INVALID_ARGUMENT, ErrorReason.InvalidArgument);
const stale = fail(GrpcStatus.FAILED_PRECONDITION, ErrorReason.StaleSequence);

describe('IdempotentProducer', () => {
  let app: NestFastifyApplication;
  let gateway: FakeReplicaGateway;
  let inject: (options: InjectOptions | string) => Promise<LightMyRequestResponse>;

  // Generous by default so a loaded machine does not turn slow writes into 503s; the 503/504
  // cases below use a short deadline to run fast.
  async function start(overrides: Parameters<typeof createTestApp>[0] = {}): Promise<void> {
    await app?.close();
    ({ app, gateway } = await createTestApp({ writeTimeoutMs: 10_000, ...overrides }));
    inject = injector(app);
  }

  beforeEach(() => start());
  afterEach(() => app.close());

  const post = (message: string) =>
    inject({
      method: 'POST',
      url: '/Data',
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify({ message }),
    });

  /** The most Append calls that were in flight at once while `run` ran. */
  async function mostInFlight(run: () => Promise<void>): Promise<number> {
    let inFlight = 0;
    let most = 0;
    const original = gateway.append.bind(gateway);
    jest.spyOn(gateway, 'append').mockImplementation(async (replica, request) => {
      most = Math.max(most, ++inFlight);
      try {
        return await original(replica, request);
      } finally {
        inFlight -= 1;
      }
    });
    await run();
    return most;
  }

  describe('coalescing', () => {
    it('sends concurrent writes as a few Append calls and gives each its own offset', async () => {
      gateway.appendDelayMs = 100;
      const messages = Array.from({ length: 200 }, (_, i) => `m${i}`);
      const responses = await Promise.all(messages.map(post));
      expect(responses.every((response) => response.statusCode === 201)).toBe(true);
      expect(gateway.appendCalls.length).toBeLessThanOrEqual(4);
      const offsets = responses.map((response) => response.json<{ offset: number }>().offset);
      expect(new Set(offsets).size).toBe(200);
      offsets.forEach((offset, i) => expect(gateway.log[offset].toString()).toBe(messages[i]));
    });

    it('sends a lone write at once, with no batching delay', async () => {
      const started = Date.now();
      expect((await post('alone')).statusCode).toBe(201);
      // No batching timer: the Append goes out on the next turn of the event loop (the bound
      // is loose only so that a loaded machine does not fail it).
      expect(Date.now() - started).toBeLessThan(250);
      expect(gateway.appendCalls).toHaveLength(1);
    });

    it(`caps a batch at ${MAX_BATCH_MESSAGES} messages`, async () => {
      gateway.appendDelayMs = 50;
      const responses = await Promise.all(
        Array.from({ length: 2 * MAX_BATCH_MESSAGES + 10 }, (_, i) => post(`m${i}`)),
      );
      expect(responses.every((response) => response.statusCode === 201)).toBe(true);
      const sizes = gateway.appendCalls.map((call) => call.request.messages.length);
      expect(Math.max(...sizes)).toBe(MAX_BATCH_MESSAGES);
    });

    it('caps a batch at 4 MiB', async () => {
      await start({ maxMessageBytes: 1536 * 1024 });
      gateway.appendDelayMs = 20;
      const big = 'x'.repeat(1536 * 1024);
      const responses = await Promise.all(Array.from({ length: 6 }, () => post(big)));
      expect(responses.map((response) => response.statusCode)).toEqual(Array(6).fill(201));
      for (const call of gateway.appendCalls) {
        const bytes = call.request.messages.reduce((sum, message) => sum + message.length, 0);
        expect(bytes).toBeLessThanOrEqual(4 * 1024 * 1024);
      }
    });

    it('gives each batch a new sequence and the same producer id', async () => {
      await post('a');
      await post('b');
      const [first, second] = gateway.appendCalls.map((call) => call.request);
      expect(first.producer_id).toBe(app.get(IdempotentProducer).producerId);
      expect(first.producer_id).toBeGreaterThan(0);
      expect(Number.isSafeInteger(first.producer_id)).toBe(true);
      expect(second.producer_id).toBe(first.producer_id);
      expect(second.sequence).toBe(first.sequence + 1);
    });
  });

  describe('pipeline', () => {
    const MAX_IN_FLIGHT = 3;
    beforeEach(() => start({ maxInFlight: MAX_IN_FLIGHT }));

    it('keeps up to DISTILLED_API_MAX_IN_FLIGHT batches in flight, one producer id, sequences 1, 2, 3...', async () => {
      gateway.appendDelayMs = 50;
      const most = await mostInFlight(async () => {
        const responses: ReturnType<typeof post>[] = [];
        for (let i = 0; i < 40; i++) {
          responses.push(post(`m${i}`));
          if (i % 5 === 4) await sleep(5);
        }
        const offsets = (await Promise.all(responses)).map(
          (response) => response.json<{ offset: number }>().offset,
        );
        expect(new Set(offsets).size).toBe(40);
        offsets.forEach((offset, i) => expect(gateway.log[offset].toString()).toBe(`m${i}`));
      });
      expect(most).toBeGreaterThan(1);
      expect(most).toBeLessThanOrEqual(MAX_IN_FLIGHT);
      const producer = app.get(IdempotentProducer).producerId;
      expect(new Set(gateway.appendCalls.map((call) => call.request.producer_id))).toEqual(
        new Set([producer]),
      );
      const sequences = gateway.appendCalls.map((call) => call.request.sequence);
      expect(sequences).toEqual(sequences.map((_, k) => k + 1));
    });

    it('does not let new batches run more than the window ahead of one being retried', async () => {
      // Batch 1 is refused (no leader) for a while and retried; later writes keep coming.
      gateway.appendScript.push(...Array.from({ length: 4 }, () => noLeader));
      const first = post('first');
      await sleep(5);
      const later: ReturnType<typeof post>[] = [];
      for (let i = 0; i < 6; i++) {
        later.push(post(`later${i}`));
        await sleep(5);
      }
      expect((await first).statusCode).toBe(201);
      for (const response of await Promise.all(later)) expect(response.statusCode).toBe(201);
      // Whenever a batch was sent, the oldest unanswered one was at most MAX_IN_FLIGHT - 1 behind.
      const sent = gateway.appendCalls.map((call) => call.request.sequence);
      const firstDone = sent.lastIndexOf(1);
      for (const sequence of sent.slice(0, firstDone)) {
        expect(sequence).toBeLessThan(1 + MAX_IN_FLIGHT);
      }
    });

    it('uses one producer id for a lone sequential writer', async () => {
      for (let i = 0; i < 5; i++) expect((await post(`s${i}`)).statusCode).toBe(201);
      expect(new Set(gateway.appendCalls.map((call) => call.request.producer_id)).size).toBe(1);
    });
  });

  describe('batch requests with one batch in flight (the default)', () => {
    const postBatch = (messages: string[]) =>
      inject({
        method: 'POST',
        url: '/Data/Batch',
        headers: { 'content-type': 'application/json' },
        payload: JSON.stringify({ messages }),
      });

    it(`sends a second batch while two batch requests wait (at most ${BATCH_REQUESTS_IN_FLIGHT} in flight), each request whole and in order`, async () => {
      gateway.appendDelayMs = 50;
      const requests = Array.from({ length: 6 }, (_, r) =>
        Array.from({ length: 3 }, (_, i) => `r${r}m${i}`),
      );
      const most = await mostInFlight(async () => {
        const responses: ReturnType<typeof postBatch>[] = [];
        for (const messages of requests) {
          responses.push(postBatch(messages));
          await sleep(5);
        }
        const answers = await Promise.all(responses);
        answers.forEach((response, r) => {
          expect(response.statusCode).toBe(201);
          const { firstOffset } = response.json<{ firstOffset: number }>();
          requests[r].forEach((message, i) =>
            expect(gateway.log[firstOffset + i].toString()).toBe(message),
          );
        });
      });
      expect(most).toBe(BATCH_REQUESTS_IN_FLIGHT);
      const sequences = gateway.appendCalls.map((call) => call.request.sequence);
      expect(sequences).toEqual(sequences.map((_, k) => k + 1));
    });

    it('keeps single POSTs to one batch in flight', async () => {
      gateway.appendDelayMs = 50;
      const most = await mostInFlight(async () => {
        const responses: ReturnType<typeof post>[] = [];
        for (let i = 0; i < 12; i++) {
          responses.push(post(`m${i}`));
          if (i % 3 === 2) await sleep(5);
        }
        for (const response of await Promise.all(responses)) expect(response.statusCode).toBe(201);
      });
      expect(most).toBe(1);
    });
  });

  describe('retries', () => {
    it('retries a batch with the same sequence, and the leader stores it once', async () => {
      // The leader appends, then the connection drops before it answers.
      gateway.appendScript.push((replica, request) => {
        gateway.store(request);
        return connectionLost(replica, request);
      });
      const response = await post('once');
      expect(response.statusCode).toBe(201);
      expect(response.json()).toEqual({ offset: 0 });
      expect(gateway.log.map(String)).toEqual(['once']);
      const sequences = gateway.appendCalls.map((call) => call.request.sequence);
      expect(sequences).toHaveLength(2);
      expect(new Set(sequences).size).toBe(1);
      await post('next');
      expect(gateway.appendCalls[2].request.sequence).toBe(sequences[0] + 1);
    });

    it('starts its waits afresh when a new leader is named, not where the old one left them', async () => {
      const waits: number[] = [];
      const viewChanged = gateway.viewChanged.bind(gateway);
      jest.spyOn(gateway, 'viewChanged').mockImplementation((timeoutMs) => {
        waits.push(timeoutMs);
        return viewChanged(timeoutMs);
      });
      // r1 is shutting down for four attempts, then r2 leads but has not begun its term.
      gateway.appendScript.push(shuttingDown, shuttingDown, shuttingDown, (replica, request) => {
        gateway.leaderId = 'r2';
        return shuttingDown(replica, request);
      });
      gateway.appendScript.push(noLeader);
      expect((await post('x')).statusCode).toBe(201);
      expect(gateway.appendCalls.map((call) => call.replica.id)).toEqual([
        'r1',
        'r1',
        'r1',
        'r1',
        'r2',
        'r2',
      ]);
      expect(waits).toEqual([20, 40, 80, 20, 40]);
    });

    it('follows the leader a refusing replica names, at once', async () => {
      gateway.leaderId = 'r2';
      gateway.appendScript.push((replica) =>
        callError(replica, GrpcStatus.FAILED_PRECONDITION, ErrorReason.NotLeader, {
          leaderHint: { id: 'r2', address: 'r2:50051' },
        }),
      );
      // The view still says r1 for the first attempt.
      const leader = jest.spyOn(gateway, 'leader');
      leader.mockReturnValueOnce({ id: 'r1', address: 'r1:50051' });
      expect((await post('x')).statusCode).toBe(201);
      expect(gateway.appendCalls.map((call) => call.replica.id)).toEqual(['r1', 'r2']);
    });

    it('waits for a leader to be elected within the deadline', async () => {
      gateway.leaderId = null;
      setTimeout(() => (gateway.leaderId = 'r3'), 100);
      expect((await post('x')).statusCode).toBe(201);
      expect(gateway.appendCalls.map((call) => call.replica.id)).toEqual(['r3']);
    });
  });

  describe('503 (not stored) or 504 (may be stored)', () => {
    beforeEach(() => start({ writeTimeoutMs: 300 }));

    it.each<[string, number, AppendBehaviour[], AppendBehaviour | 'no leader']>([
      ['not-enough-replicas until the deadline', 503, [], notEnoughReplicas],
      ['shutting-down until the deadline', 503, [], shuttingDown],
      ['no-leader from the replica until the deadline', 503, [], noLeader],
      ['not-leader until the deadline', 503, [], notLeader],
      ['no leader in the cluster state', 503, [], 'no leader'],
      ['the leader unreachable (never sent)', 503, [], neverSent],
      ['commit-timeout, then not-enough-replicas', 504, [commitTimeout], notEnoughReplicas],
      ['leadership-lost, then unreachable', 504, [leadershipLost], neverSent],
      [
        'not-leader, then commit-timeout, then no-leader',
        504,
        [notLeader, commitTimeout],
        noLeader,
      ],
      ['the connection lost after sending', 504, [], connectionLost],
      ['the deadline exceeded after sending', 504, [], deadlineExceeded],
      ['an invalid batch (not retried)', 502, [], invalid],
      ['a sequence conflict (not retried)', 502, [], stale],
    ])('%s → %i', async (_case, status, script, fallback) => {
      gateway.appendScript.push(...script);
      if (fallback === 'no leader') gateway.leaderId = null;
      else gateway.appendFallback = fallback;
      const response = await post('x');
      expect(response.statusCode).toBe(status);
      expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
      const problem = response.json<{ detail: string; type: string }>();
      if (status === 503) {
        expect(response.headers['retry-after']).toBe('1');
        expect(problem.detail).toMatch(/was NOT stored/);
        expect(problem.type).toBe('urn:distilled:problem:write-not-stored');
      }
      if (status === 504) {
        expect(response.headers['retry-after']).toBeUndefined();
        expect(problem.detail).toMatch(/may or may not have been stored/);
        expect(problem.detail).toMatch(/retrying may store it twice/);
      }
      const sequences = new Set(gateway.appendCalls.map((call) => call.request.sequence));
      expect(sequences.size).toBeLessThanOrEqual(1);
      if (status === 502) expect(gateway.appendCalls).toHaveLength(1);
    });

    it('does not start an attempt too close to the deadline to hear its answer (503, not 504)', async () => {
      // A replica that says "no leader" after 90 ms, and times out an attempt whose deadline
      // comes first, the way a real call does.
      const starts: number[] = [];
      jest
        .spyOn(gateway, 'append')
        .mockImplementation(async (replica, _request, deadline = Infinity) => {
          starts.push(deadline - Date.now());
          await new Promise((resolve) => setTimeout(resolve, Math.min(90, deadline - Date.now())));
          if (Date.now() >= deadline) {
            throw callError(replica, GrpcStatus.DEADLINE_EXCEEDED, null, {
              delivery: 'maybe-sent',
            });
          }
          throw callError(replica, GrpcStatus.UNAVAILABLE, ErrorReason.NoLeader);
        });
      const response = await post('x');
      expect(response.statusCode).toBe(503);
      expect(starts.length).toBeGreaterThan(1);
      expect(Math.min(...starts)).toBeGreaterThanOrEqual(MIN_ATTEMPT_MS - 5);
    });

    it.each<[string, AppendBehaviour]>([
      ['commit-timeout', commitTimeout],
      ['leadership-lost', leadershipLost],
      ['a lost connection', connectionLost],
    ])('answers 201 when a retry after %s settles the batch', async (_case, first) => {
      gateway.appendScript.push(first);
      const response = await post('x');
      expect(response.statusCode).toBe(201);
      expect(gateway.appendCalls).toHaveLength(2);
    });

    it.each([1, 3])(
      'answers 503 for a write whose deadline passed while it waited behind slow batches (%i in flight)',
      async (maxInFlight) => {
        await start({ writeTimeoutMs: 300, maxInFlight });
        gateway.appendDelayMs = 400;
        // The pipeline full of slow batches, each its own batch: the next is posted only once
        // the gateway holds the previous one (a fixed pause let two share a batch under load).
        const slow: ReturnType<typeof post>[] = [];
        for (let i = 0; i < maxInFlight; i++) {
          slow.push(post(`slow${i}`));
          while (gateway.appendCalls.length < i + 1) await sleep(1);
        }
        const waiting = await post('waiting');
        expect(waiting.statusCode).toBe(503);
        expect(waiting.json<{ detail: string }>().detail).toMatch(/never sent/);
        for (const response of await Promise.all(slow)) expect(response.statusCode).toBe(201);
        expect(gateway.log.map(String).sort()).toEqual(
          Array.from({ length: maxInFlight }, (_, i) => `slow${i}`),
        );
      },
    );
  });
});
