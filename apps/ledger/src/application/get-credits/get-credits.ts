import type { Clock } from '@credence/kernel';
import { balanceAt, balanceDelta, emptyAccount } from '@credence/ledger-domain';
import type { LedgerQueries, StoredEvent } from '@credence/ledger-data-access';
import { toEnvelope } from '../publish-events/publish-events.js';

/** Event types grouped into the transaction types a dashboard shows. */
export const TRANSACTION_TYPES: Readonly<Record<string, readonly string[]>> = {
  grant: ['GrantIssued'],
  expiration: ['GrantExpired'],
  deduction: ['UsageDeducted', 'HoldCaptured'],
  refund: ['RefundIssued'],
  hold: ['HoldPlaced', 'HoldReleased', 'HoldExpired'],
  reset: ['PeriodReset'],
  debt: ['DebtSettled'],
  alert: ['BalanceLow', 'ThresholdRearmed'],
  settings: ['AllowanceSet', 'ThresholdSet', 'ThresholdRemoved'],
};
const TYPE_OF_EVENT = new Map(Object.entries(TRANSACTION_TYPES).flatMap(([t, events]) => events.map((e) => [e, t] as const)));

export interface GetCreditsQuery {
  readonly accountId: string;
  readonly type?: string;
  readonly projectId?: string;
  readonly sessionId?: string;
  readonly generationId?: string;
  readonly from?: Date;
  readonly to?: Date;
  readonly cursor?: string;
  readonly limit: number;
}

export interface Transaction {
  readonly id: string;
  readonly type: string;
  readonly event: string;
  /** The signed change to the balance (credits in +, out -); consecutive balanceAfter values differ by it. */
  readonly amount: string;
  /** For hold events, the signed change to the credits held; null otherwise. */
  readonly reserved: string | null;
  readonly timestamp: string;
  readonly balanceAfter: string;
  readonly resource: Record<string, unknown> | null;
  readonly priceVersion: string | null;
}

/** What a hold event does to the reserved (held) credits: placed +, resolved -. Null for other events. */
function reservedDelta(e: StoredEvent): bigint | null {
  const ev = e.event;
  if (ev.type === 'HoldPlaced') return ev.amount;
  if (ev.type === 'HoldReleased' || ev.type === 'HoldExpired') return -ev.amount;
  if (ev.type === 'HoldCaptured') return -(ev.amount + ev.released);
  return null;
}

const toTransaction = (e: StoredEvent): Transaction => {
  const data = e.data as { resource?: Record<string, unknown>; priceVersion?: string | null };
  return {
    id: e.eventId,
    type: TYPE_OF_EVENT.get(e.event.type) ?? 'other',
    event: e.event.type,
    amount: balanceDelta(e.event).toString(),
    reserved: reservedDelta(e)?.toString() ?? null,
    timestamp: e.occurredAt.toISOString(),
    balanceAfter: e.balanceAfter.toString(),
    resource: data.resource ?? null,
    priceVersion: data.priceVersion ?? null,
  };
};

/** `GET /api/billing/credits`: the balance by source and the history, newest first, by cursor. */
export class GetCredits {
  constructor(
    private readonly queries: LedgerQueries,
    private readonly clock: Clock,
  ) {}

  async execute(q: GetCreditsQuery) {
    const now = this.clock.now();
    const state = (await this.queries.accountState(q.accountId)) ?? emptyAccount(q.accountId);
    const b = balanceAt(state, now);
    const events = await this.queries.transactions({
      accountId: q.accountId,
      ...(q.type ? { types: TRANSACTION_TYPES[q.type] ?? [q.type] } : {}),
      ...(q.projectId === undefined ? {} : { projectId: q.projectId }),
      ...(q.sessionId === undefined ? {} : { sessionId: q.sessionId }),
      ...(q.generationId === undefined ? {} : { generationId: q.generationId }),
      ...(q.from ? { from: q.from } : {}),
      ...(q.to ? { to: q.to } : {}),
      ...(q.cursor ? { beforeSeq: BigInt(q.cursor) } : {}),
      limit: q.limit + 1,
    });
    const page = events.slice(0, q.limit);
    const last = page.at(-1);
    return {
      accountId: q.accountId,
      asOf: new Date(now).toISOString(),
      balance: {
        total: b.total.toString(),
        available: b.available.toString(),
        held: b.held.toString(),
        debt: b.debt.toString(),
        pending: b.pending.toString(),
        bySource: Object.fromEntries(Object.entries(b.bySource).map(([k, v]) => [k, v.toString()])),
      },
      transactions: page.map(toTransaction),
      nextCursor: events.length > q.limit && last ? last.seq.toString() : null,
    };
  }
}

export { toEnvelope };
