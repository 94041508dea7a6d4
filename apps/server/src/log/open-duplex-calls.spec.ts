import { EventEmitter } from 'node:events';
import { OpenDuplexCalls, writeQuietly, type DuplexCall } from './open-duplex-calls';

class FakeCall extends EventEmitter implements DuplexCall<string> {
  written: string[] = [];
  ends = 0;
  cancelled = false;
  destroyed = false;
  get writableEnded(): boolean {
    return this.ends > 0;
  }
  write(response: string): boolean {
    this.written.push(response);
    return true;
  }
  end(): void {
    this.ends += 1;
  }
}

describe('OpenDuplexCalls', () => {
  it('forgets a call the client cancelled, failed or closed', () => {
    const calls = new OpenDuplexCalls<string, FakeCall>();
    const [a, b, c] = [new FakeCall(), new FakeCall(), new FakeCall()];
    for (const call of [a, b, c]) calls.add(call);
    a.emit('cancelled');
    b.emit('error');
    c.emit('close');
    expect(calls.size).toBe(0);
  });

  it('finishes a call once', () => {
    const calls = new OpenDuplexCalls<string, FakeCall>();
    const call = new FakeCall();
    calls.add(call);
    expect(calls.finish(call)).toBe(true);
    expect(calls.finish(call)).toBe(false);
    expect(call.ends).toBe(1);
    expect(calls.size).toBe(0);
  });

  it('closeAll ends every open call but none that is gone', () => {
    const calls = new OpenDuplexCalls<string, FakeCall>();
    const [open, cancelled] = [new FakeCall(), new FakeCall()];
    calls.add(open);
    calls.add(cancelled);
    cancelled.cancelled = true;
    calls.closeAll();
    expect(open.ends).toBe(1);
    expect(cancelled.ends).toBe(0);
    expect(calls.size).toBe(0);
  });

  it('writes nothing to a call that is gone, and survives a write that throws', () => {
    const call = new FakeCall();
    call.destroyed = true;
    writeQuietly(call, 'late');
    expect(call.written).toEqual([]);
    const throwing = new FakeCall();
    throwing.write = () => {
      throw new Error('write after end');
    };
    expect(() => writeQuietly(throwing, 'x')).not.toThrow();
  });
});
