/**
 * What the ledger publishes on the LEDGER stream for each committed event. `Nats-Msg-Id` is `id`.
 * `data` is the event in its storage form: amounts as decimal strings, times as ISO-8601 UTC.
 */
export interface LedgerEventEnvelope {
  readonly id: string;
  /** Position in the ledger's log: strictly increasing in commit order. */
  readonly seq: string;
  readonly accountId: string;
  readonly type: string;
  readonly at: string;
  /** The idempotency key of the command that produced the event. */
  readonly commandKey: string;
  /** The account's ledger balance (grant remainders minus debt) right after this event. */
  readonly balanceAfter: string;
  readonly data: Record<string, unknown>;
}
