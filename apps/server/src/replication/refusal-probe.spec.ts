import { createServer, type Server } from 'node:net';
import { freePort } from '@distilled/launcher';
import { confirmRefusal, splitAddress, tcpProbe, type ProbeOutcome } from './refusal-probe';

describe('splitAddress', () => {
  it('splits host:port and [v6]:port', () => {
    expect(splitAddress('127.0.0.1:50051')).toEqual({ host: '127.0.0.1', port: 50051 });
    expect(splitAddress('replica-1:7')).toEqual({ host: 'replica-1', port: 7 });
    expect(splitAddress('[::1]:50051')).toEqual({ host: '::1', port: 50051 });
  });
});

describe('tcpProbe', () => {
  const probe = tcpProbe(300);
  let server: Server | undefined;
  afterEach(
    () => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())),
  );

  it('says accepted while something listens, refused once nothing does', async () => {
    const port = await freePort();
    server = createServer((socket) => socket.destroy());
    await new Promise<void>((resolve) => server!.listen(port, '127.0.0.1', resolve));
    expect(await probe(`127.0.0.1:${port}`)).toBe('accepted');
    await new Promise<void>((resolve) => server!.close(() => resolve()));
    server = undefined;
    expect(await probe(`127.0.0.1:${port}`)).toBe('refused');
  });

  it('counts any other failure (here a name that does not resolve) as no evidence', async () => {
    // .invalid never resolves (RFC 2606): ENOTFOUND, or the timeout where DNS does not answer.
    expect(await probe('no-such-replica.invalid:50051')).toBe('inconclusive');
  });
});

describe('confirmRefusal', () => {
  /** A fake clock: waits advance it, probes take no time. */
  function clock() {
    let t = 0;
    return { now: () => t, wait: async (ms: number) => void (t += ms) };
  }
  const rule = { refusals: 3, windowMs: 150 };

  function scripted(outcomes: ProbeOutcome[]) {
    const calls: number[] = [];
    const c = clock();
    const probe = async () => {
      calls.push(c.now());
      return outcomes.shift() ?? 'refused';
    };
    return { calls, probe, ...c };
  }
  const confirmScripted = (s: ReturnType<typeof scripted>) =>
    confirmRefusal('h:1', {
      probe: s.probe,
      rule,
      cancelled: () => false,
      now: s.now,
      wait: s.wait,
    });

  it('confirms after every probe of the window was refused, evenly spread over it', async () => {
    const s = scripted(['refused', 'refused', 'refused']);
    const evidence = await confirmScripted(s);
    expect(evidence).toBe('3 connections to h:1 refused over 150 ms');
    expect(s.calls).toEqual([0, 75, 150]);
  });

  it.each<[string, ProbeOutcome[]]>([
    ['an accepted connect', ['refused', 'accepted', 'refused']],
    ['an unanswered connect (timeout)', ['refused', 'refused', 'inconclusive']],
    ['a first probe that is not refused', ['inconclusive']],
  ])('does not confirm after %s, and stops probing there', async (_, outcomes) => {
    const s = scripted([...outcomes]);
    const evidence = await confirmScripted(s);
    expect(evidence).toBeUndefined();
    expect(s.calls).toHaveLength(outcomes.findIndex((o) => o !== 'refused') + 1);
  });

  it('does not confirm when the refusals came faster than the window (a clock that did not move)', async () => {
    const s = scripted([]);
    const evidence = await confirmRefusal('h:1', {
      probe: s.probe,
      rule,
      cancelled: () => false,
      now: () => 0,
      wait: async () => undefined,
    });
    expect(evidence).toBeUndefined();
  });

  it('stops once cancelled (the replica follows someone else)', async () => {
    const s = scripted([]);
    let cancelled = false;
    const probe = async () => {
      cancelled = true;
      return s.probe();
    };
    const evidence = await confirmRefusal('h:1', {
      probe,
      rule,
      cancelled: () => cancelled,
      now: s.now,
      wait: s.wait,
    });
    expect(evidence).toBeUndefined();
    expect(s.calls).toHaveLength(1);
  });
});
