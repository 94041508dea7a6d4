import type { AppendOptions, AppendResult, LogStore } from '@distilled/log-store';
import { ErrorReason } from '@distilled/proto';
import { ReplicaError } from '../errors/replica-error';
import { KeyedAppends, type WriteBatch } from './keyed-appends';

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
});
