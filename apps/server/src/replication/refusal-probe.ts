/**
 * Positive evidence that a leader's process is gone: its port refuses TCP connections.
 *
 * A refused connect (ECONNREFUSED: the host answered the SYN with a reset) means no socket
 * listens on that port of a live host: the process died or closed its server. A leader that is
 * alive but stuck (a long GC pause, SIGSTOP, a full disk) still has its kernel accept
 * connections, and a network partition drops packets (a timeout), so neither looks like this.
 * The follower's gRPC errors cannot tell these apart (a reset mid-stream, a deadline, "no
 * connection established" from a channel backing off all read alike), so the evidence comes
 * from fresh connects of its own, never from the failed call.
 */
import { connect } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

/** What one connect attempt showed: only 'refused' counts as evidence. */
export type ProbeOutcome = 'refused' | 'accepted' | 'inconclusive';
export type Probe = (address: string) => Promise<ProbeOutcome>;

/** How many refusals in a row, spread over at least how long, confirm a dead leader. */
export interface RefusalRule {
  refusals: number;
  windowMs: number;
}

/** "host:port" or "[v6]:port" into its parts. */
export function splitAddress(address: string): { host: string; port: number } {
  const colon = address.lastIndexOf(':');
  const host = address.slice(0, colon).replace(/^\[(.*)\]$/, '$1');
  return { host, port: Number(address.slice(colon + 1)) };
}

/**
 * One TCP connect to `address`, closed at once. A connect not answered within `timeoutMs`,
 * or failing any other way (unreachable host or network, a blackhole route), is inconclusive.
 */
export function tcpProbe(timeoutMs: number): Probe {
  return (address) =>
    new Promise((resolve) => {
      const { host, port } = splitAddress(address);
      const socket = connect({ host, port });
      const done = (outcome: ProbeOutcome) => {
        clearTimeout(timer);
        socket.destroy();
        resolve(outcome);
      };
      const timer = setTimeout(() => done('inconclusive'), timeoutMs);
      socket.once('connect', () => done('accepted'));
      socket.once('error', (error: NodeJS.ErrnoException) =>
        done(error.code === 'ECONNREFUSED' ? 'refused' : 'inconclusive'),
      );
    });
}

export interface ConfirmOptions {
  probe: Probe;
  rule: RefusalRule;
  /** Checked before every probe: true ends the check unconfirmed. */
  cancelled: () => boolean;
  now?: () => number;
  wait?: (ms: number) => Promise<unknown>;
}

/**
 * Probes `address` `rule.refusals` times, evenly over `rule.windowMs`. Resolves with a line
 * of evidence when every probe was refused, or undefined at the first one that was not (or
 * once cancelled): one accepted or unanswered connect is enough to keep the leader's lease.
 */
export async function confirmRefusal(
  address: string,
  options: ConfirmOptions,
): Promise<string | undefined> {
  const { probe, rule, cancelled } = options;
  const now = options.now ?? Date.now;
  const wait = options.wait ?? sleep;
  const gap = rule.refusals > 1 ? rule.windowMs / (rule.refusals - 1) : 0;
  const first = now();
  for (let i = 0; i < rule.refusals; i++) {
    if (i > 0) await wait(gap);
    if (cancelled()) return undefined;
    if ((await probe(address)) !== 'refused') return undefined;
  }
  const spanMs = now() - first;
  if (spanMs < rule.windowMs) return undefined;
  return `${rule.refusals} connections to ${address} refused over ${spanMs} ms`;
}
