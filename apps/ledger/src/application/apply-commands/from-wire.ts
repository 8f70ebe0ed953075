import {
  CaptureHoldDto,
  ConfigureAllowanceDto,
  ConfigureThresholdDto,
  IssueGrantDto,
  IssueRefundDto,
  PlaceHoldDto,
  RecordUsageDto,
  ReleaseHoldDto,
  type LedgerCommandBase,
} from '@credence/contracts';
import type { LedgerCommand, Resource } from '@credence/ledger-domain';
import { hashBody, type KeyedCommand } from './apply-commands.js';

/** Every command the ledger accepts from outside, by kind: its DTO and how it becomes a domain command. */
export const WIRE_COMMANDS = {
  IssueGrant: IssueGrantDto,
  RecordUsage: RecordUsageDto,
  PlaceHold: PlaceHoldDto,
  CaptureHold: CaptureHoldDto,
  ReleaseHold: ReleaseHoldDto,
  IssueRefund: IssueRefundDto,
  ConfigureThreshold: ConfigureThresholdDto,
  ConfigureAllowance: ConfigureAllowanceDto,
} as const;
export type WireKind = keyof typeof WIRE_COMMANDS;
export type WireDto<K extends WireKind> = InstanceType<(typeof WIRE_COMMANDS)[K]>;

const resourceOf = (r: Resource | undefined): Resource => {
  if (!r) return {};
  // Only the fields that are set, so that `{}` and a missing resource store the same way.
  return Object.fromEntries(Object.entries(r).filter(([, v]) => v !== undefined));
};

/**
 * Maps a validated DTO to the domain command. The caller's idempotency key becomes the id of
 * what the command creates (grant, hold, charge, refund): unique per account by construction.
 * `now` only serves relative times (a hold's time to live).
 */
export function toDomain(kind: WireKind, dto: LedgerCommandBase, now: number): LedgerCommand {
  switch (kind) {
    case 'IssueGrant': {
      const d = dto as IssueGrantDto;
      return {
        type: 'IssueGrant',
        grantId: d.key,
        source: d.source,
        amount: BigInt(d.amount),
        ...(d.priority === undefined ? {} : { priority: d.priority }),
        ...(d.effectiveAt === undefined ? {} : { effectiveAt: Date.parse(d.effectiveAt) }),
        expiresAt: d.expiresAt === undefined ? null : Date.parse(d.expiresAt),
        reason: d.reason ?? null,
      };
    }
    case 'RecordUsage': {
      const d = dto as RecordUsageDto;
      return { type: 'RecordUsage', chargeId: d.key, amount: BigInt(d.amount), resource: resourceOf(d.resource), priceVersion: d.priceVersion ?? null };
    }
    case 'PlaceHold': {
      const d = dto as PlaceHoldDto;
      return { type: 'PlaceHold', holdId: d.key, amount: BigInt(d.amount), expiresAt: now + d.ttlMs, resource: resourceOf(d.resource) };
    }
    case 'CaptureHold': {
      const d = dto as CaptureHoldDto;
      return { type: 'CaptureHold', holdId: d.holdId, amount: BigInt(d.amount), priceVersion: d.priceVersion ?? null };
    }
    case 'ReleaseHold':
      return { type: 'ReleaseHold', holdId: (dto as ReleaseHoldDto).holdId };
    case 'IssueRefund': {
      const d = dto as IssueRefundDto;
      return { type: 'IssueRefund', refundId: d.key, chargeId: d.chargeId, amount: d.amount === undefined ? null : BigInt(d.amount), reason: d.reason ?? null };
    }
    case 'ConfigureThreshold': {
      const d = dto as ConfigureThresholdDto;
      return d.level === undefined ? { type: 'RemoveThreshold', name: d.name } : { type: 'SetThreshold', name: d.name, level: BigInt(d.level) };
    }
    case 'ConfigureAllowance': {
      const d = dto as ConfigureAllowanceDto;
      return { type: 'SetAllowance', freeMonthly: BigInt(d.freeMonthly), anchorDay: d.anchorDay ?? 1 };
    }
  }
}

export function keyed(kind: WireKind, dto: LedgerCommandBase, now: number, origin?: KeyedCommand['origin']): KeyedCommand {
  return {
    accountId: dto.accountId,
    key: dto.key,
    bodyHash: hashBody({ kind, ...dto }),
    command: toDomain(kind, dto, now),
    ...(origin ? { origin } : {}),
  };
}
