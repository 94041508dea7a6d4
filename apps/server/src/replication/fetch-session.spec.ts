import { EventEmitter } from 'node:events';
import { setImmediate as tick } from 'node:timers/promises';
import type { FetchResponse } from '@distilled/proto';
import { FakeLogStore } from '../testing/fake-log-store';
import { FetchSession, type FetchCall, type FetchSessionHost } from './fetch-session';

class FakeCall extends EventEmitter {
  readonly responses: FetchResponse[] = [];
  write(response: FetchResponse): boolean {
    this.responses.push(response);
    return true;
  }
  end(): void {}
}

/** Lets every queued promise callback run, without leaving this turn of the event loop. */
async function microtasks(): Promise<void> {
  for (let i = 0; i < 10; i++) await Promise.resolve();
}

function setup(acceptsKeptRequests: boolean) {
  const log = new FakeLogStore();
  let hw = 0;
  const host: FetchSessionHost = {
    epoch: 3,
    log,
    highWatermark: () => hw,
    onResponse: jest.fn(),
    onSessionEnd: jest.fn(),
    onSessionError: jest.fn(),
  };
  const call = new FakeCall();
  const session = new FetchSession('b', call as unknown as FetchCall, host);
  session.acceptsKeptRequests = acceptsKeptRequests;
  const moveHighWatermark = async (to: number) => {
    hw = to;
    session.wake();
    await tick();
  };
  const append = async (text: string) => {
    await log.append([Buffer.from(text)], 3);
    session.wake();
    await tick();
  };
  const request = async (offset: number) => {
    session.onRequest(offset);
    await tick();
  };
  const setHighWatermark = (to: number) => {
    hw = to;
  };
  return { log, session, call, moveHighWatermark, setHighWatermark, append, request };
}

describe('FetchSession', () => {
  describe('a follower that accepts kept requests', () => {
    it('gets each HW move on the same request, then the next batches from it', async () => {
      const f = setup(true);
      await f.request(0);
      expect(f.call.responses).toHaveLength(1); // the first answer tells it the HW and log start
      expect(f.call.responses[0].request_kept).toBe(true);

      await f.moveHighWatermark(0);
      expect(f.call.responses).toHaveLength(1); // no news, no answer

      await f.append('x'); // its request (offset 0) still stands: the batch goes out at once
      expect(f.call.responses).toHaveLength(2);
      expect(f.call.responses[1].batches.length).toBeGreaterThan(0);
      expect(f.call.responses[1].request_kept).toBe(false);

      await f.moveHighWatermark(1); // the batch consumed the request: nothing until it asks
      expect(f.call.responses).toHaveLength(2);

      await f.request(1); // its acknowledgement: the HW it has not seen goes out, kept
      expect(f.call.responses).toHaveLength(3);
      expect(f.call.responses[2]).toMatchObject({ high_watermark: 1, request_kept: true });
      expect(f.call.responses[2].batches.length).toBe(0);

      await f.append('y');
      expect(f.call.responses).toHaveLength(4);
      expect(f.call.responses[3].batches.length).toBeGreaterThan(0);
    });

    it('gets news without batches in the next turn of the event loop, batches in this one', async () => {
      const f = setup(true);
      await f.request(0);
      expect(f.call.responses).toHaveLength(1);

      await f.log.append([Buffer.from('x')], 3);
      f.session.wake();
      await microtasks();
      expect(f.call.responses).toHaveLength(2); // a batch does not wait for the next turn
      expect(f.call.responses[1].batches.length).toBeGreaterThan(0);

      f.session.onRequest(1);
      f.setHighWatermark(1); // the commit settles its appends in this turn...
      f.session.wake();
      await microtasks();
      expect(f.call.responses).toHaveLength(2); // ...and their answers go out before the news
      await tick();
      expect(f.call.responses).toHaveLength(3);
      expect(f.call.responses[2]).toMatchObject({ high_watermark: 1, request_kept: true });
      expect(f.call.responses[2].batches.length).toBe(0);
    });

    it('below the log start gets an answer that does not keep the request (it must re-base)', async () => {
      const f = setup(true);
      await f.append('a');
      await f.append('b');
      await f.log.advanceStartTo(2);
      await f.request(0);
      expect(f.call.responses).toHaveLength(1);
      expect(f.call.responses[0]).toMatchObject({ log_start_offset: 2, request_kept: false });
      await f.moveHighWatermark(2);
      expect(f.call.responses).toHaveLength(1);
    });
  });

  it('an older follower gets one answer per request, news included', async () => {
    const f = setup(false);
    await f.request(0);
    expect(f.call.responses).toHaveLength(1);
    expect(f.call.responses[0].request_kept).toBe(false);
    await f.append('x');
    expect(f.call.responses).toHaveLength(1); // it has not asked again yet
    await f.request(0);
    expect(f.call.responses).toHaveLength(2);
    expect(f.call.responses[1].batches.length).toBeGreaterThan(0);
  });
});
