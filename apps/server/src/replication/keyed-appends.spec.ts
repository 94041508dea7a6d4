import type { AppendOptions, AppendResult, LogStore } from '@distilled/log-store';
import { ErrorReason } from '@distilled/proto';
import { ReplicaError } from '../errors/replica-error';
import { KeyedAppends, type KeyedPartRequest, type WriteBatch } from './keyed-appends';

const tag = (key: string, body = 'a') => ({ key, hash: Buffer.from(`hash-${body}`) });
const emptyLog = { logEndOffset: 0 } as unknown as LogStore;

function setup() {
  let highWatermark = 0;
  let next = 0;
  const calls: AppendOptions[] = [];
  const keyed = new KeyedAppends({
    log: emptyLog,
    maxKeys: 100,
    windowMs: 60_000,
    highWatermark: () => highWatermark,
    now: () => 1000,
  });
  /** Writes at once and commits (moves the HW) when `commit` is true. */
  const write =
    (commit = true): WriteBatch =>
    async (messages, options, onWritten) => {
      calls.push(options);
      const result: AppendResult = { baseOffset: next, count: messages.length, duplicate: false };
      next += messages.length;
      onWritten(result);
      if (commit) highWatermark = next;
      return result;
    };
  return { keyed, write, calls, setHw: (hw: number) => (highWatermark = hw) };
}

const reasonOf = async (promise: Promise<unknown>) =>
  promise.then(
    () => 'appended',
    (error: ReplicaError) => error.reason,
  );

describe('KeyedAppends', () => {
  it('appends a new key with its tag and expected offset, then replays it', async () => {
    const { keyed, write, calls } = setup();
    const first = await keyed.append([Buffer.from('m')], tag('k'), 0, write());
    expect(first).toEqual({ baseOffset: 0, count: 1, duplicate: false });
    expect(calls).toEqual([{ idempotency: tag('k'), expectedOffset: 0 }]);
    const again = await keyed.append([Buffer.from('m')], tag('k'), 0, write());
    expect(again).toEqual({ baseOffset: 0, count: 1, duplicate: true });
    expect(calls).toHaveLength(1);
  });

  it('decides requests in call order, those that waited for the scan before later ones', async () => {
    const { keyed, write } = setup();
    // Both arrive before the scan has finished; the first one with the key is appended.
    const first = keyed.append([Buffer.from('m')], tag('k'), undefined, write());
    const second = reasonOf(keyed.append([Buffer.from('m')], tag('k'), undefined, write()));
    expect(await first).toEqual({ baseOffset: 0, count: 1, duplicate: false });
    expect(await second).toBe(ErrorReason.KeyInFlight);
    // After the scan the decision is made in the caller's turn: same key, same answer.
    const third = keyed.append([Buffer.from('m')], tag('j'), undefined, write());
    const fourth = reasonOf(keyed.append([Buffer.from('n')], tag('j', 'b'), undefined, write()));
    expect(await fourth).toBe(ErrorReason.KeyMismatch);
    expect(await third).toEqual({ baseOffset: 1, count: 1, duplicate: false });
  });

  it('refuses another body under the same key', async () => {
    const { keyed, write } = setup();
    await keyed.append([Buffer.from('m')], tag('k'), undefined, write());
    expect(
      await reasonOf(keyed.append([Buffer.from('n')], tag('k', 'b'), undefined, write())),
    ).toBe(ErrorReason.KeyMismatch);
  });

  it('answers key-in-flight while the first request is being written', async () => {
    const { keyed, write } = setup();
    let release!: () => void;
    const slow: WriteBatch = async (messages, options, onWritten) => {
      await new Promise<void>((resolve) => (release = resolve));
      return write()(messages, options, onWritten);
    };
    const first = keyed.append([Buffer.from('m')], tag('k'), undefined, slow);
    // The write starts at the end of the turn the request arrived in.
    await new Promise((resolve) => setImmediate(resolve));
    await new Promise((resolve) => setImmediate(resolve));
    expect(await reasonOf(keyed.append([Buffer.from('m')], tag('k'), undefined, write()))).toBe(
      ErrorReason.KeyInFlight,
    );
    release();
    await first;
  });

  it('keeps a key written but not committed in flight until the high watermark passes it', async () => {
    const { keyed, write, setHw } = setup();
    const timeout = ReplicaError.commitTimeout(0, 1, 10);
    const uncommitted: WriteBatch = async (messages, options, onWritten) => {
      await write(false)(messages, options, onWritten);
      throw timeout;
    };
    await expect(keyed.append([Buffer.from('m')], tag('k'), undefined, uncommitted)).rejects.toBe(
      timeout,
    );
    expect(await reasonOf(keyed.append([Buffer.from('m')], tag('k'), undefined, write()))).toBe(
      ErrorReason.KeyInFlight,
    );
    setHw(1);
    expect(await keyed.append([Buffer.from('m')], tag('k'), undefined, write())).toMatchObject({
      baseOffset: 0,
      duplicate: true,
    });
  });

  it('frees the key when the append fails before it was written', async () => {
    const { keyed, write } = setup();
    const refused: WriteBatch = async () => {
      throw ReplicaError.offsetMismatch(5, 0);
    };
    expect(await reasonOf(keyed.append([Buffer.from('m')], tag('k'), 5, refused))).toBe(
      ErrorReason.OffsetMismatch,
    );
    expect(await keyed.append([Buffer.from('m')], tag('k'), undefined, write())).toMatchObject({
      duplicate: false,
    });
  });

  describe('a turn of keyed requests', () => {
    const m = (text: string) => Buffer.from(text);

    it('shares one batch, each request with its own offsets and key', async () => {
      const { keyed, write, calls } = setup();
      const shared = write();
      const answers = await Promise.all([
        keyed.append([m('a'), m('b')], tag('k1'), undefined, shared),
        keyed.append([m('c')], tag('k2', 'c'), undefined, shared),
      ]);
      expect(answers).toEqual([
        { baseOffset: 0, count: 2, duplicate: false },
        { baseOffset: 2, count: 1, duplicate: false },
      ]);
      expect(calls).toEqual([
        {
          keyedParts: [
            { tag: tag('k1'), count: 2 },
            { tag: tag('k2', 'c'), count: 1 },
          ],
        },
      ]);
      expect(await keyed.append([m('c')], tag('k2', 'c'), undefined, shared)).toEqual({
        baseOffset: 2,
        count: 1,
        duplicate: true,
      });
    });

    it('leaves a request with an expected offset, or another write, out of the shared batch', async () => {
      const { keyed, write, calls } = setup();
      const shared = write();
      await Promise.all([
        keyed.append([m('a')], tag('k1'), undefined, shared),
        keyed.append([m('b')], tag('k2'), 5, shared).catch(() => undefined),
        keyed.append([m('c')], tag('k3'), undefined, write()),
        keyed.append([m('d')], tag('k4'), undefined, shared),
      ]);
      expect(calls.map((c) => c.idempotency?.key ?? c.keyedParts?.map((p) => p.tag.key))).toEqual([
        'k2',
        'k1',
        'k3',
        'k4',
      ]);
    });

    it('frees every key of a batch that was not written, and they can be sent again', async () => {
      const { keyed, write } = setup();
      const refused = ReplicaError.notEnoughReplicas(['a'], 2);
      const failing: WriteBatch = () => Promise.reject(refused);
      const both = [
        keyed.append([m('a')], tag('k1'), undefined, failing),
        keyed.append([m('b')], tag('k2'), undefined, failing),
      ];
      for (const attempt of both) await expect(attempt).rejects.toBe(refused);
      const shared = write();
      const again = await Promise.all([
        keyed.append([m('a')], tag('k1'), undefined, shared),
        keyed.append([m('b')], tag('k2'), undefined, shared),
      ]);
      expect(again.map((a) => a.duplicate)).toEqual([false, false]);
    });

    it('keeps every key of a written, uncommitted batch in flight', async () => {
      const { keyed, write, setHw } = setup();
      const timeout = ReplicaError.commitTimeout(0, 2, 10);
      const uncommitted: WriteBatch = async (messages, options, onWritten) => {
        await write(false)(messages, options, onWritten);
        throw timeout;
      };
      await Promise.all([
        expect(keyed.append([m('a')], tag('k1'), undefined, uncommitted)).rejects.toBe(timeout),
        expect(keyed.append([m('b')], tag('k2'), undefined, uncommitted)).rejects.toBe(timeout),
      ]);
      expect(await reasonOf(keyed.append([m('b')], tag('k2'), undefined, write()))).toBe(
        ErrorReason.KeyInFlight,
      );
      setHw(2);
      expect(await keyed.append([m('b')], tag('k2'), undefined, write())).toEqual({
        baseOffset: 1,
        count: 1,
        duplicate: true,
      });
    });
  });

  describe('the parts of one Append', () => {
    const m = (text: string) => Buffer.from(text);
    type Answer = { index: number; result: AppendResult | null; reason?: string };
    /** Runs appendParts and collects every settle, in the order they came. */
    const run = (keyed: KeyedAppends, parts: KeyedPartRequest[], write: WriteBatch) => {
      const answers: Answer[] = [];
      let resolveAll: (answers: Answer[]) => void = () => undefined;
      const all = new Promise<Answer[]>((resolve) => (resolveAll = resolve));
      keyed.appendParts(parts, write, (index, result, error) => {
        answers.push({
          index,
          result,
          reason: result ? undefined : (error as ReplicaError).reason,
        });
        if (answers.length === parts.length) resolveAll(answers);
      });
      return { answers, all };
    };
    const part = (index: number, key: string, texts: string[], body = 'a'): KeyedPartRequest => ({
      index,
      messages: texts.map(m),
      tag: tag(key, body),
    });
    /** Past the scan: the first keyed append waits for it, later ones are decided at once. */
    const ready = async (keyed: KeyedAppends, write: WriteBatch) => {
      await keyed.append([m('w')], tag('warm'), undefined, write);
    };

    it('decides them at once and writes the new ones as one batch, each with its own offsets', async () => {
      const { keyed, write, calls } = setup();
      const shared = write();
      await ready(keyed, shared);
      calls.length = 0;
      const { answers, all } = run(
        keyed,
        [part(0, 'k1', ['a', 'b']), part(1, 'k2', ['c'], 'c'), part(2, 'k1', ['x'])],
        shared,
      );
      // The repeated key is answered in the same synchronous stretch, before anything is written.
      expect(answers).toEqual([{ index: 2, result: null, reason: ErrorReason.KeyInFlight }]);
      expect(calls).toEqual([
        {
          keyedParts: [
            { tag: tag('k1'), count: 2 },
            { tag: tag('k2', 'c'), count: 1 },
          ],
        },
      ]);
      expect(await all).toEqual([
        { index: 2, result: null, reason: ErrorReason.KeyInFlight },
        { index: 0, result: { baseOffset: 1, count: 2, duplicate: false } },
        { index: 1, result: { baseOffset: 3, count: 1, duplicate: false } },
      ]);
    });

    it('replays a committed key, refuses another body, and appends only what is new', async () => {
      const { keyed, write, calls } = setup();
      const shared = write();
      await ready(keyed, shared);
      await run(keyed, [part(0, 'k1', ['a'])], shared).all;
      calls.length = 0;
      const { all } = run(
        keyed,
        [part(0, 'k1', ['a']), part(1, 'k1', ['z'], 'z'), part(2, 'k3', ['c'])],
        shared,
      );
      expect(await all).toEqual([
        { index: 0, result: { baseOffset: 1, count: 1, duplicate: true } },
        { index: 1, result: null, reason: ErrorReason.KeyMismatch },
        { index: 2, result: { baseOffset: 2, count: 1, duplicate: false } },
      ]);
      expect(calls).toEqual([{ idempotency: tag('k3') }]);
    });

    it('before the scan is done, waits for it and decides them in order', async () => {
      const { keyed, write, calls } = setup();
      const { all } = run(keyed, [part(0, 'k1', ['a']), part(1, 'k1', ['b'])], write());
      expect((await all).sort((x, y) => x.index - y.index)).toEqual([
        { index: 0, result: { baseOffset: 0, count: 1, duplicate: false } },
        { index: 1, result: null, reason: ErrorReason.KeyInFlight },
      ]);
      expect(calls).toHaveLength(1);
    });

    it('frees the keys of parts that were not written, keeps those written but not committed', async () => {
      const { keyed, write, setHw } = setup();
      await ready(keyed, write());
      const refused = ReplicaError.notEnoughReplicas(['a'], 2);
      const failed = run(keyed, [part(0, 'k1', ['a']), part(1, 'k2', ['b'])], () =>
        Promise.reject(refused),
      );
      expect((await failed.all).map((a) => a.reason)).toEqual([
        ErrorReason.NotEnoughReplicas,
        ErrorReason.NotEnoughReplicas,
      ]);
      const timeout = ReplicaError.commitTimeout(0, 2, 10);
      const uncommitted: WriteBatch = async (messages, options, onWritten) => {
        await write(false)(messages, options, onWritten);
        throw timeout;
      };
      const lost = run(keyed, [part(0, 'k1', ['a']), part(1, 'k2', ['b'])], uncommitted);
      expect((await lost.all).map((a) => a.reason)).toEqual([
        ErrorReason.CommitTimeout,
        ErrorReason.CommitTimeout,
      ]);
      const again = run(keyed, [part(0, 'k1', ['a']), part(1, 'k2', ['b'])], write());
      expect((await again.all).map((a) => a.reason)).toEqual([
        ErrorReason.KeyInFlight,
        ErrorReason.KeyInFlight,
      ]);
      setHw(3);
      const replayed = run(keyed, [part(0, 'k2', ['b'])], write());
      expect(await replayed.all).toEqual([
        { index: 0, result: { baseOffset: 2, count: 1, duplicate: true } },
      ]);
    });
  });
});
