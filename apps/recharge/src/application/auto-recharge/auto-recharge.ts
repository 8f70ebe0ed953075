import { AutoRechargeSettingsDto, validatePlain, type FieldIssue } from '@credence/contracts';
import type { Clock } from '@credence/kernel';
import type { RechargeQueries, Settings } from '@credence/recharge-data-access';
import type { LedgerClient } from '../../clients/ledger-client.js';
import { notOffered, type NotOffered, type Offers } from '../offers.js';
import { settingsView, type SettingsView } from '../views.js';

export type SettingsReply =
  | { readonly status: 'saved'; readonly settings: SettingsView }
  | NotOffered
  | { readonly status: 'invalid'; readonly issues: readonly FieldIssue[] };

/**
 * The ledger command key of one saved version of an account's settings. It names the level too, so
 * one key always carries one body, even if recharge's schema were ever started afresh.
 */
export const thresholdKey = (version: number, level: bigint | undefined): string => `recharge:auto-recharge:v${version}:${level ?? 'off'}`;

/**
 * `GET` / `PUT /api/billing/auto-recharge`. Switching on checks now what a crossing will buy (the
 * plan may buy the pack, it has a price, there is a payment method), so that a recharge fails for
 * what changed since, not for a mistake made here. The ledger's `auto-recharge` threshold follows
 * the settings: configured at once if the ledger answers, else by `syncOnce` later.
 */
export class AutoRecharge {
  constructor(
    private readonly queries: RechargeQueries,
    private readonly offers: Offers,
    private readonly ledger: LedgerClient,
    private readonly clock: Clock,
  ) {}

  async get(accountId: string): Promise<SettingsView | undefined> {
    const s = await this.queries.settings(accountId);
    return s && settingsView(s);
  }

  async put(body: unknown): Promise<SettingsReply> {
    const v = validatePlain(AutoRechargeSettingsDto, body);
    if (!v.ok) return { status: 'invalid', issues: v.issues };
    const dto = v.value;
    let currency = dto.currency ?? null;
    let limit = dto.monthlyLimitMinor === undefined ? null : BigInt(dto.monthlyLimitMinor);
    if (dto.enabled) {
      const offered = await this.offers.resolve(dto.accountId, dto.packId, dto.currency, dto.paymentMethodId);
      if (offered.kind !== 'offered') return notOffered(offered);
      currency = offered.offer.currency;
      limit ??= BigInt(offered.offer.defaultMonthlyLimitMinor);
    }
    const now = new Date(this.clock.now());
    const saved = await this.queries.transaction(async (trx) => {
      const before = await this.queries.settings(dto.accountId, trx, true);
      const switchedOn = dto.enabled && !before?.enabled;
      return this.queries.saveSettings(
        {
          accountId: dto.accountId,
          enabled: dto.enabled,
          packId: dto.packId,
          threshold: BigInt(dto.threshold),
          // Disabled without a limit or currency given: keep what was there.
          monthlyLimitMinor: limit ?? before?.monthlyLimitMinor ?? null,
          currency: currency ?? before?.currency ?? null,
          paymentMethodId: dto.paymentMethodId ?? null,
          enabledSince: switchedOn ? now : dto.enabled ? (before?.enabledSince ?? now) : (before?.enabledSince ?? null),
          consecutiveFailures: switchedOn ? 0 : (before?.consecutiveFailures ?? 0),
          disabledReason: dto.enabled ? null : 'by_request',
          version: (before?.version ?? 0) + 1,
          updatedAt: now,
        },
        trx,
      );
    });
    const synced = await this.sync(saved);
    return { status: 'saved', settings: settingsView(synced ? { ...saved, ledgerThresholdVersion: saved.version } : saved) };
  }

  /** Brings the ledger thresholds that are behind up to date; returns how many it did. */
  async syncOnce(limit: number): Promise<number> {
    let done = 0;
    for (const s of await this.queries.settingsBehindLedger(limit)) if (await this.sync(s)) done++;
    return done;
  }

  /** The ledger threshold of this version of the settings: the level while enabled, none otherwise. */
  private async sync(s: Settings): Promise<boolean> {
    const level = s.enabled ? s.threshold : undefined;
    const answer = await this.ledger.threshold({ key: thresholdKey(s.version, level), accountId: s.accountId, level });
    // Removing a threshold the ledger never had is done too.
    const done = answer.kind === 'applied' || (answer.kind === 'refused' && answer.reason === 'THRESHOLD_NOT_FOUND' && !s.enabled);
    if (done) await this.queries.markThresholdApplied(s.accountId, s.version);
    return done;
  }
}
