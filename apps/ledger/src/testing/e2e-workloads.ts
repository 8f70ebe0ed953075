// Command sets for the end-to-end tests, and the pure model they are checked against.
import type { LedgerCommandBase } from '@credence/contracts';
import { decide, emptyAccount, evolve, type AccountState } from '@credence/ledger-domain';
import { keyed } from '../application/apply-commands/from-wire.js';
import type { CommandToPublish } from './ledger-process.js';
import { seededRandom } from '@credence/kernel';

export interface FundedTraffic {
  /** One large grant per account, applied before the traffic: no usage can ever run into debt. */
  readonly funding: CommandToPublish[];
  readonly traffic: CommandToPublish[];
}

export interface FundedTrafficOptions {
  readonly seed: number;
  readonly accounts: number;
  readonly count: number;
  /** Share of the traffic that is new grants (the rest is usage and repeats). */
  readonly grantRate: number;
  /** Share of the traffic that repeats an earlier command of the traffic, same key and body. */
  readonly repeatRate: number;
  /** Sent as every grant's effectiveAt: the burn-down order then never depends on when a grant was applied. */
  readonly effectiveAt?: string;
}

const FUNDING_AMOUNT = '100000000';

/**
 * Post-paid usage, grants and exact repeats over many accounts, funded so that no usage ever
 * runs into debt. Its final balances and event count then do not depend on the order in which
 * commands are applied: a crash and redelivery, or two consumers, may reorder them freely.
 */
export function fundedTraffic(o: FundedTrafficOptions): FundedTraffic {
  const random = seededRandom(o.seed);
  const int = (n: number) => Math.floor(random() * n);
  const when = o.effectiveAt === undefined ? {} : { effectiveAt: o.effectiveAt };
  const funding: CommandToPublish[] = Array.from({ length: o.accounts }, (_, a) => ({
    kind: 'IssueGrant',
    body: { key: 'funding', accountId: `acc-${a}`, source: 'purchase', amount: FUNDING_AMOUNT, ...when },
  }));
  const traffic: CommandToPublish[] = [];
  for (let i = 0; i < o.count; i++) {
    const roll = random();
    const accountId = `acc-${int(o.accounts)}`;
    if (roll < o.repeatRate && traffic.length > 0) {
      const earlier = traffic[int(traffic.length)];
      if (earlier) traffic.push({ kind: earlier.kind, body: earlier.body });
    } else if (roll < o.repeatRate + o.grantRate) {
      const source = (['purchase', 'promo', 'plan_allocation', 'adjustment'] as const)[int(4)];
      traffic.push({ kind: 'IssueGrant', body: { key: `g-${i}`, accountId, source, amount: String(100 + int(900)), ...when } });
    } else {
      traffic.push({
        kind: 'RecordUsage',
        body: { key: `u-${i}`, accountId, amount: String(1 + int(50)), resource: { projectId: `p${int(3)}` } },
      });
    }
  }
  return { funding, traffic };
}

export interface Folded {
  readonly accounts: ReadonlyMap<string, AccountState>;
  readonly events: number;
  /** Distinct idempotency keys: one `commands` row each. */
  readonly keys: number;
}

/**
 * What the ledger must end with: the commands folded, in order, through the pure domain
 * (decide, then evolve), each key once. `now` is the ledger's clock, irrelevant for grants
 * without expiry and for usage.
 */
export function foldThroughDomain(commands: readonly CommandToPublish[], now = Date.now()): Folded {
  const accounts = new Map<string, AccountState>();
  const seen = new Set<string>();
  let events = 0;
  for (const c of commands) {
    const k = keyed(c.kind, c.body as LedgerCommandBase, now);
    const id = `${k.accountId}\u0000${k.key}`;
    if (seen.has(id)) continue;
    seen.add(id);
    let state = accounts.get(k.accountId) ?? emptyAccount(k.accountId);
    const decision = decide(state, k.command, now);
    if (decision.ok) {
      for (const event of decision.value) state = evolve(state, event);
      events += decision.value.length;
    }
    accounts.set(k.accountId, state);
  }
  return { accounts, events, keys: seen.size };
}
