import { headers as createHeaders, type MsgHdrs } from '@nats-io/nats-core';

export const MSG_ID_HEADER = 'Nats-Msg-Id';

export type HeaderRecord = Readonly<Record<string, string>>;

export function toMsgHdrs(record: HeaderRecord): MsgHdrs {
  const hdrs = createHeaders();
  for (const [key, value] of Object.entries(record)) hdrs.set(key, value);
  return hdrs;
}

/** Multi-valued NATS headers are flattened to their first value: Credence never sends repeated keys. */
export function fromMsgHdrs(hdrs: MsgHdrs | undefined): Record<string, string> {
  const record: Record<string, string> = {};
  if (hdrs === undefined) return record;
  for (const [key, values] of hdrs) {
    const first = values[0];
    if (first !== undefined) record[key] = first;
  }
  return record;
}
