import type { MeteringQueries } from '@credence/metering-data-access';
import type { RecordUsage } from '../record-usage/record-usage.js';

export interface RawUsage {
  readonly subject: string;
  readonly data: Uint8Array;
  readonly streamSeq: number;
}

/** applied: forwarded (or a repeat); rejected: recorded in rejects, never retried; retry: an upstream was out. */
export type UsageDisposition = 'applied' | 'rejected' | 'retry';

/**
 * `metering.v1.usage.record` off the METERING_USAGE stream. Each message is handled on its own, so
 * one invalid event (kept with its bytes in `rejects`) never holds back its neighbours.
 */
export class ConsumeUsage {
  constructor(
    private readonly record: RecordUsage,
    private readonly queries: MeteringQueries,
  ) {}

  execute(messages: readonly RawUsage[]): Promise<UsageDisposition[]> {
    return Promise.all(messages.map((m) => this.one(m)));
  }

  private async one(m: RawUsage): Promise<UsageDisposition> {
    const reject = async (reason: string, detail: string): Promise<UsageDisposition> => {
      await this.queries.recordReject({ subject: m.subject, streamSeq: m.streamSeq, reason, detail, raw: m.data });
      return 'rejected';
    };
    let plain: unknown;
    try {
      plain = JSON.parse(Buffer.from(m.data).toString('utf8'));
    } catch (e) {
      return reject('invalid', `not JSON: ${(e as Error).message}`);
    }
    const r = await this.record.one(plain);
    switch (r.status) {
      case 'recorded':
        return 'applied';
      case 'unavailable':
        return 'retry';
      case 'invalid':
        return reject('invalid', r.issues.map((i) => `${i.field}: ${i.message}`).join('; '));
      case 'refused':
        return reject('refused', r.detail === undefined ? r.reason : `${r.reason}: ${r.detail}`);
      case 'conflict':
        return reject('conflict', r.reason);
    }
  }
}
