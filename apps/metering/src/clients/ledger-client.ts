import type { NatsConnection } from '@nats-io/nats-core';
import { LEDGER_PLACE_HOLD_SUBJECT, subject, type Namespace, type PlaceHoldReply, type ResourceDto } from '@credence/contracts';
import { httpJson, natsJson, unavailable, type Unavailable, type UpstreamOptions } from '@credence/platform-runtime';

/** The ledger's answer to a synchronous command, as metering needs it. */
export type LedgerAnswer =
  | { readonly kind: 'applied'; readonly body: unknown }
  | { readonly kind: 'refused'; readonly reason: string }
  | { readonly kind: 'conflict'; readonly body: unknown }
  | { readonly kind: 'invalid'; readonly status: number; readonly body: unknown }
  | Unavailable;

export interface HoldRequest {
  readonly key: string;
  readonly accountId: string;
  readonly amount: string;
  readonly ttlMs: number;
  readonly resource?: ResourceDto;
}

export type LedgerRoute = 'captures' | 'releases' | 'usage' | 'refunds' | 'allowance';

/** Holds over NATS request/reply (`ledger.v1.hold.place`); other commands over the ledger's HTTP API, applied before it answers. */
export class LedgerClient {
  constructor(
    private readonly nc: NatsConnection,
    private readonly ns: Namespace,
    private readonly baseUrl: string,
    private readonly options: UpstreamOptions,
  ) {}

  async placeHold(h: HoldRequest): Promise<PlaceHoldReply | Unavailable> {
    const r = await natsJson(this.options, this.nc, subject(this.ns, LEDGER_PLACE_HOLD_SUBJECT), h);
    return r.kind === 'reply' ? (r.body as PlaceHoldReply) : r;
  }

  async command(route: LedgerRoute, body: Record<string, unknown>): Promise<LedgerAnswer> {
    // Settings are PUT, as the ledger's API has them; everything else adds to the log.
    const r = await httpJson(this.options, route === 'allowance' ? 'PUT' : 'POST', `${this.baseUrl}/api/ledger/${route}`, body);
    if (r.kind === 'unavailable') return r;
    if (r.status === 200) return { kind: 'applied', body: r.body };
    if (r.status === 409) return { kind: 'conflict', body: r.body };
    const reason = (r.body as { status?: string; reason?: string } | undefined)?.reason;
    if (r.status === 422 && (r.body as { status?: string } | undefined)?.status === 'refused' && reason) return { kind: 'refused', reason };
    // Only a 400 or 422 judges the command itself. A key the ledger refuses (401/403), a timeout or
    // throttling (408/429), or anything else is a problem between the services: retry later,
    // never drop the usage.
    if (r.status !== 400 && r.status !== 422) return unavailable(`the ledger answered ${r.status}`);
    return { kind: 'invalid', status: r.status, body: r.body };
  }
}
