import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Webhook signatures: `credence-signature: t=<unix seconds>,v1=<hex>` where the hex is
 * HMAC-SHA256(secret, "<t>.<raw body>"). Signing the timestamp with the body lets a receiver
 * refuse a replay of an old, captured request (its `t` is outside the tolerance window).
 * The secret is used as is (its UTF-8 bytes are the HMAC key).
 */
export function signature(secret: string, timestampSec: number, body: string): string {
  return createHmac('sha256', secret).update(`${timestampSec}.${body}`, 'utf8').digest('hex');
}

export function signatureHeader(secret: string, timestampSec: number, body: string): string {
  return `t=${timestampSec},v1=${signature(secret, timestampSec, body)}`;
}

/** Five minutes either way: generous for clock skew, short for a replay. */
export const DEFAULT_TOLERANCE_SEC = 300;

/**
 * What a receiver does (the snippet in docs/api/notifier-http.md is this function): parse the
 * header, recompute, compare in constant time, and check the timestamp against its own clock.
 * Several `v1=` entries are allowed (one per secret during a rotation): any match is enough.
 */
export function verifySignature(input: {
  readonly header: string | undefined;
  readonly body: string;
  readonly secret: string;
  readonly nowSec: number;
  readonly toleranceSec?: number;
}): boolean {
  if (input.header === undefined) return false;
  let t: number | undefined;
  const candidates: string[] = [];
  for (const part of input.header.split(',')) {
    const [key, value] = part.trim().split('=', 2);
    if (key === 't' && value !== undefined && /^\d+$/.test(value)) t = Number(value);
    if (key === 'v1' && value !== undefined) candidates.push(value);
  }
  if (t === undefined || Math.abs(input.nowSec - t) > (input.toleranceSec ?? DEFAULT_TOLERANCE_SEC)) return false;
  const expected = Buffer.from(signature(input.secret, t, input.body), 'hex');
  return candidates.some((c) => {
    const given = Buffer.from(c, 'hex');
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
}
