import { assertNever } from '@credence/kernel';

/** One per message of a batch, in the batch's order. */
export type Outcome = { readonly kind: 'ack' } | { readonly kind: 'nak'; readonly delayMs: number } | { readonly kind: 'term'; readonly reason: string };

export const ack = (): Outcome => ({ kind: 'ack' });
export const nak = (delayMs: number): Outcome => ({ kind: 'nak', delayMs });
export const term = (reason: string): Outcome => ({ kind: 'term', reason });

/** The part of a JetStream message that settles it. */
export type Settleable = {
  ack(): void;
  nak(millis?: number): void;
  term(reason?: string): void;
};

/**
 * Plain acks, never ackAck: waiting a round trip per message would cap throughput, and a lost
 * ack only costs a redelivery, which consumers must absorb anyway.
 * `termReasonSupported`: servers before 2.11 ignore a `+TERM` that carries a reason (the message
 * is then redelivered), so the reason is only sent to servers that understand it.
 */
export function settle(msg: Settleable, outcome: Outcome, termReasonSupported: boolean): void {
  switch (outcome.kind) {
    case 'ack':
      msg.ack();
      return;
    case 'nak':
      msg.nak(Math.max(0, Math.round(outcome.delayMs)));
      return;
    case 'term':
      if (termReasonSupported) msg.term(outcome.reason);
      else msg.term();
      return;
    default:
      assertNever(outcome, 'outcome');
  }
}

/** Exponential in the delivery count, capped: a failing batch neither spins nor stalls forever. */
export function errorNakDelayMs(deliveryCount: number, baseMs: number, maxMs: number): number {
  const exponent = Math.min(Math.max(deliveryCount - 1, 0), 30);
  return Math.min(baseMs * 2 ** exponent, maxMs);
}

/** True when the server's version (e.g. "2.9.10") is at least major.minor. */
export function serverAtLeast(version: string | undefined, major: number, minor: number): boolean {
  const match = /^v?(\d+)\.(\d+)/.exec(version ?? '');
  if (match === null) return false;
  const [maj, min] = [Number(match[1]), Number(match[2])];
  return maj > major || (maj === major && min >= minor);
}
