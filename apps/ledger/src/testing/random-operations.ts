import { seededRandom } from '@credence/kernel';
import type { KeyedCommand } from '../application/apply-commands/apply-commands.js';
import { hashBody } from '../application/apply-commands/apply-commands.js';
import type { LedgerCommand } from '@credence/ledger-domain';

/**
 * A mixed workload over many accounts: grants of every source (some expiring), post-paid usage,
 * holds placed, captured, released or left to expire, refunds, thresholds and allowances.
 * Refers to holds and charges it created earlier, so captures and refunds mostly hit.
 */
export function randomOperations(options: { seed: number; count: number; accounts: number; now: () => number }): Generator<KeyedCommand> {
  const random = seededRandom(options.seed);
  const int = (n: number) => Math.floor(random() * n);
  const holds: Array<[string, string]> = [];
  const charges: Array<[string, string]> = [];
  const sources = ['free_monthly', 'plan_allocation', 'purchase', 'promo', 'adjustment'] as const;

  function* generate(): Generator<KeyedCommand> {
    for (let i = 0; i < options.count; i++) {
      const accountId = `acc-${int(options.accounts)}`;
      const key = `op-${options.seed}-${i}`;
      const now = options.now();
      const roll = random();
      let command: LedgerCommand;
      if (roll < 0.2) {
        const source = sources[int(sources.length)] ?? 'purchase';
        command = {
          type: 'IssueGrant',
          grantId: key,
          source,
          amount: BigInt(1 + int(2000)),
          expiresAt: random() < 0.5 ? now + (1 + int(72)) * 3_600_000 : null,
        };
      } else if (roll < 0.5) {
        command = { type: 'RecordUsage', chargeId: key, amount: BigInt(1 + int(300)), resource: { projectId: `p${int(5)}` } };
        charges.push([accountId, key]);
      } else if (roll < 0.7) {
        command = { type: 'PlaceHold', holdId: key, amount: BigInt(1 + int(300)), expiresAt: now + (1 + int(60)) * 60_000, resource: {} };
        holds.push([accountId, key]);
      } else if (roll < 0.82 && holds.length > 0) {
        const [acc, holdId] = holds[int(holds.length)] ?? ['', ''];
        const capture = random() < 0.7;
        const cmd: LedgerCommand = capture ? { type: 'CaptureHold', holdId, amount: BigInt(int(320)) } : { type: 'ReleaseHold', holdId };
        yield { accountId: acc, key, bodyHash: hashBody({ key, cmd: cmd.type, holdId }), command: cmd };
        continue;
      } else if (roll < 0.9 && charges.length > 0) {
        const [acc, chargeId] = charges[int(charges.length)] ?? ['', ''];
        const cmd: LedgerCommand = { type: 'IssueRefund', refundId: key, chargeId, amount: random() < 0.5 ? null : BigInt(1 + int(100)) };
        yield { accountId: acc, key, bodyHash: hashBody({ key, chargeId }), command: cmd };
        continue;
      } else if (roll < 0.95) {
        command = { type: 'SetThreshold', name: random() < 0.5 ? 'alert' : 'recharge', level: BigInt(int(1500)) };
      } else {
        command = { type: 'SetAllowance', freeMonthly: BigInt(int(5000)), anchorDay: 1 + int(28) };
      }
      yield { accountId, key, bodyHash: hashBody({ key, type: command.type }), command };
    }
  }
  return generate();
}
