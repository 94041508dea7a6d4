import { IdempotencyKeyTable } from './idempotency-keys';
import { keyHash } from './key-hash';

const tag = (key: string, body = 'a') => ({ key, hash: Buffer.from(`hash-${body}`) });

describe('IdempotencyKeyTable', () => {
  const make = (maxKeys = 100, windowMs = 60_000) => new IdempotencyKeyTable({ maxKeys, windowMs });

  describe('check', () => {
    it('calls an unknown key new', () => {
      expect(make().check(tag('k'), 0, 0)).toEqual({ kind: 'new' });
    });

    it('calls a key being written in flight, or a mismatch with another body', () => {
      const table = make();
      table.begin(tag('k'));
      expect(table.check(tag('k'), 0, 0)).toEqual({ kind: 'in-flight' });
      expect(table.check(tag('k', 'b'), 0, 0)).toEqual({ kind: 'mismatch' });
    });

    it('replays a written key once the high watermark passes its end', () => {
      const table = make();
      table.begin(tag('k'));
      table.remember(tag('k'), 10, 3, 1000);
      expect(table.check(tag('k'), 12, 1000)).toEqual({ kind: 'in-flight' });
      expect(table.check(tag('k'), 13, 1000)).toEqual({ kind: 'replay', baseOffset: 10, count: 3 });
      expect(table.check(tag('k', 'b'), 13, 1000)).toEqual({ kind: 'mismatch' });
    });

    it('forgets a key older than the window', () => {
      const table = make(100, 1000);
      table.remember(tag('k'), 0, 1, 5000);
      expect(table.check(tag('k'), 1, 6000).kind).toBe('replay');
      expect(table.check(tag('k'), 1, 6001)).toEqual({ kind: 'new' });
      expect(table.size).toBe(0);
    });
  });

  it('abandon frees a key whose append failed before it was written', () => {
    const table = make();
    table.begin(tag('k'));
    table.abandon(tag('k'));
    expect(table.check(tag('k'), 0, 0)).toEqual({ kind: 'new' });
  });

  it('keeps at most maxKeys, forgetting the oldest first', () => {
    const table = make(2);
    table.remember(tag('a'), 0, 1, 1);
    table.remember(tag('b'), 1, 1, 2);
    table.remember(tag('c'), 2, 1, 3);
    expect(table.size).toBe(2);
    expect(table.check(tag('a'), 10, 3)).toEqual({ kind: 'new' });
    expect(table.check(tag('c'), 10, 3).kind).toBe('replay');
  });

  it('counts a key remembered again as new in log order, and skips keys already forgotten', () => {
    const table = make(2, 1000);
    table.remember(tag('a'), 0, 1, 1);
    table.remember(tag('b'), 1, 1, 2);
    table.remember(tag('a'), 5, 1, 3);
    table.remember(tag('c'), 6, 1, 4);
    expect(table.check(tag('b'), 10, 4)).toEqual({ kind: 'new' });
    expect(table.check(tag('a'), 10, 4)).toEqual({ kind: 'replay', baseOffset: 5, count: 1 });
    // 'a' and 'c' expire through check(); the next insert evicts nothing that is still held.
    expect(table.check(tag('a'), 10, 1004)).toEqual({ kind: 'new' });
    table.remember(tag('d'), 7, 1, 1004);
    table.remember(tag('e'), 8, 1, 1004);
    expect(table.size).toBe(2);
    expect(table.check(tag('d'), 10, 1004).kind).toBe('replay');
    expect(table.check(tag('e'), 10, 1004).kind).toBe('replay');
  });

  it('evicts the oldest of many in order once full', () => {
    const table = make(1000, 1e9);
    for (let i = 0; i < 10_000; i++) table.remember(tag(`k${i}`), i, 1, i);
    expect(table.size).toBe(1000);
    expect(table.check(tag('k8999'), 1e6, 1e4)).toEqual({ kind: 'new' });
    expect(table.check(tag('k9000'), 1e6, 1e4).kind).toBe('replay');
  });

  it('sweeps keys past the window as newer ones arrive', () => {
    const table = make(10_000, 10);
    table.remember(tag('old'), 0, 1, 0);
    for (let i = 1; i <= 1024; i++) table.remember(tag(`k${i}`), i, 1, 100);
    expect(table.size).toBe(1024);
    expect(table.check(tag('old'), 2000, 100)).toEqual({ kind: 'new' });
  });

  it('compares hashes longer than a ring slot holds, kept aside', () => {
    const table = make(3, 1e9);
    const long = (byte: number) => ({ key: 'long', hash: Buffer.alloc(64, byte) });
    table.remember(tag('first'), 0, 1, 0);
    for (let i = 1; i <= 500; i++) table.remember(tag('again'), i, 1, 0);
    table.begin(long(1));
    expect(table.check(long(2), 0, 0)).toEqual({ kind: 'mismatch' });
    table.remember(long(1), 501, 2, 0);
    expect(table.check(long(1), 503, 0)).toEqual({ kind: 'replay', baseOffset: 501, count: 2 });
    expect(table.check(long(2), 503, 0)).toEqual({ kind: 'mismatch' });
    expect(table.check({ key: 'long', hash: Buffer.alloc(16, 1) }, 503, 0).kind).toBe('mismatch');
    // The ring fills with stale positions of 'again' and is rebuilt: 'long' moves, its hash too.
    for (let i = 503; i < 3503; i++) table.remember(tag('again'), i, 1, 0);
    expect(table.check(long(1), 1e6, 0)).toEqual({ kind: 'replay', baseOffset: 501, count: 2 });
    expect(table.check(long(2), 1e6, 0)).toEqual({ kind: 'mismatch' });
  });

  it('keeps the held keys in order when keys remembered again leave the ring mostly stale', () => {
    const table = make(2, 1e9);
    table.remember(tag('first'), 0, 1, 0);
    // 'again' is remembered over and over: every earlier position of it goes stale behind 'first'.
    for (let i = 1; i <= 3000; i++) table.remember(tag('again'), i, 1, 0);
    expect(table.size).toBe(2);
    expect(table.check(tag('first'), 1e6, 0)).toEqual({ kind: 'replay', baseOffset: 0, count: 1 });
    expect(table.check(tag('again'), 1e6, 0)).toEqual({
      kind: 'replay',
      baseOffset: 3000,
      count: 1,
    });
    // The oldest held key is still the first to go.
    table.remember(tag('third'), 3001, 1, 0);
    expect(table.check(tag('first'), 1e6, 0)).toEqual({ kind: 'new' });
    expect(table.check(tag('again'), 1e6, 0).kind).toBe('replay');
    expect(table.check(tag('third'), 1e6, 0).kind).toBe('replay');
  });

  it('keeps keys longer than a slot holds aside, exactly', () => {
    const table = make(10, 1e9);
    const long = 'k'.repeat(200);
    table.remember(tag(long), 0, 1, 0);
    table.remember(tag(`${'k'.repeat(199)}j`), 1, 1, 0);
    expect(table.check(tag(long), 10, 0)).toEqual({ kind: 'replay', baseOffset: 0, count: 1 });
    expect(table.check(tag('k'.repeat(199)), 10, 0)).toEqual({ kind: 'new' });
    expect(table.check(tag(long, 'b'), 10, 0)).toEqual({ kind: 'mismatch' });
  });

  it('tells apart keys whose 32-bit hashes are equal, by their bytes', () => {
    // A birthday search under a known secret finds two keys with one hash (~80,000 tries).
    const hashKey = { k0: 0x01234567, k1: 0x089abcde };
    const seen = new Map<number, string>();
    let pair: [string, string] | undefined;
    for (let i = 0; !pair; i++) {
      const key = `key-${i}`;
      const hash = keyHash(key, hashKey);
      const other = seen.get(hash);
      if (other !== undefined) pair = [other, key];
      else seen.set(hash, key);
    }
    const [first, second] = pair;
    const table = new IdempotencyKeyTable({ maxKeys: 10, windowMs: 1e9, hashKey });
    table.remember(tag(first), 0, 1, 0);
    expect(table.check(tag(second), 10, 0)).toEqual({ kind: 'new' });
    table.remember(tag(second, 'b'), 1, 2, 0);
    expect(table.check(tag(first), 10, 0)).toEqual({ kind: 'replay', baseOffset: 0, count: 1 });
    expect(table.check(tag(second, 'b'), 10, 0)).toEqual({
      kind: 'replay',
      baseOffset: 1,
      count: 2,
    });
    expect(table.check(tag(second), 10, 0)).toEqual({ kind: 'mismatch' });
    // The first is forgotten past the window; the second, sharing its run, is still found.
    expect(table.check(tag(first), 10, 2e9)).toEqual({ kind: 'new' });
    expect(table.check(tag(second, 'b'), 10, 0).kind).toBe('replay');
  });

  describe('against a plain model of the same rules', () => {
    /** The table's contract written the obvious way: a list in log order, searched by key. */
    class Model {
      private held: { key: string; hash: Buffer; baseOffset: number; count: number; ts: number }[] =
        [];
      private readonly writing = new Map<string, Buffer>();
      private sinceSweep = 0;
      constructor(
        private readonly maxKeys: number,
        private readonly windowMs: number,
      ) {}
      get size() {
        return this.held.length;
      }
      check(t: { key: string; hash: Buffer }, highWatermark: number, now: number) {
        const writing = this.writing.get(t.key);
        if (writing) return { kind: writing.equals(t.hash) ? 'in-flight' : 'mismatch' };
        const i = this.held.findIndex((e) => e.key === t.key);
        if (i < 0) return { kind: 'new' };
        const e = this.held[i];
        if (now - e.ts > this.windowMs) {
          this.held.splice(i, 1);
          return { kind: 'new' };
        }
        if (!e.hash.equals(t.hash)) return { kind: 'mismatch' };
        if (e.baseOffset + e.count > highWatermark) return { kind: 'in-flight' };
        return { kind: 'replay', baseOffset: e.baseOffset, count: e.count };
      }
      begin(t: { key: string; hash: Buffer }) {
        this.writing.set(t.key, t.hash);
      }
      abandon(t: { key: string }) {
        this.writing.delete(t.key);
      }
      remember(t: { key: string; hash: Buffer }, baseOffset: number, count: number, ts: number) {
        this.writing.delete(t.key);
        this.held = this.held.filter((e) => e.key !== t.key);
        this.held.push({ key: t.key, hash: Buffer.from(t.hash), baseOffset, count, ts });
        if (this.held.length > this.maxKeys) this.held.shift();
        if (++this.sinceSweep >= 1024) {
          this.sinceSweep = 0;
          while (this.held.length > 0 && ts - this.held[0].ts > this.windowMs) this.held.shift();
        }
      }
    }

    it.each([
      { maxKeys: 40, windowMs: 300, keys: 120, steps: 6000 },
      { maxKeys: 3000, windowMs: 5000, keys: 5000, steps: 12_000 },
    ])('answers as the model does (%o)', ({ maxKeys, windowMs, keys, steps }) => {
      let seed = 7;
      const random = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;
      const pick = (n: number) => Math.floor(random() * n);
      // Short, UUID-sized and long keys; 16-byte and 64-byte hashes (kept aside).
      const keyOf = (i: number) =>
        i % 7 === 0 ? `${'long-key-'.repeat(6)}${i}` : i % 2 ? `${i}` : `${i}`.padStart(36, 'u');
      const hashOf = (body: number) => Buffer.alloc(body % 5 === 0 ? 64 : 16, body);
      const table = make(maxKeys, windowMs);
      const model = new Model(maxKeys, windowMs);
      let now = 0;
      let offset = 0;
      const writing = new Map<string, Buffer>();
      for (let step = 0; step < steps; step++) {
        now += pick(3);
        const key = keyOf(pick(keys));
        const t = { key, hash: hashOf(pick(3)) };
        const highWatermark = offset - pick(3);
        const expected = model.check(t, highWatermark, now);
        expect(table.check(t, highWatermark, now)).toEqual(expected);
        if (expected.kind === 'new') {
          model.begin(t);
          table.begin(t);
          writing.set(key, t.hash);
        }
        // Settle one of the writes in flight: written (remembered) or failed (abandoned).
        if (writing.size > 0 && random() < 0.7) {
          const [settled, hash] = writing.entries().next().value as [string, Buffer];
          writing.delete(settled);
          if (random() < 0.9) {
            const count = 1 + pick(3);
            model.remember({ key: settled, hash }, offset, count, now);
            table.remember({ key: settled, hash }, offset, count, now);
            offset += count;
          } else {
            model.abandon({ key: settled });
            table.abandon({ key: settled, hash });
          }
        }
        expect(table.size).toBe(model.size);
      }
    });
  });
});
