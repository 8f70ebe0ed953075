import type { Context } from '@opentelemetry/api';
import type { JsMsg } from '@nats-io/jetstream';
import { fromMsgHdrs, MSG_ID_HEADER } from './headers.js';
import { extractTraceContext } from './trace.js';

/** What a batch handler sees of a JetStream message; settling it is the consumer's job, through outcomes. */
export type InboundMessage = {
  readonly subject: string;
  readonly data: Uint8Array;
  readonly headers: Readonly<Record<string, string>>;
  readonly streamSequence: number;
  /** 1 on first delivery. */
  readonly deliveryCount: number;
  /** The publisher's `Nats-Msg-Id`, the natural idempotency key. */
  readonly msgId: string | undefined;
  /** The producer's trace context, for per-message spans inside a batch. */
  readonly traceContext: Context;
};

export function toInboundMessage(msg: JsMsg): InboundMessage {
  const headers = fromMsgHdrs(msg.headers);
  return {
    subject: msg.subject,
    data: msg.data,
    headers,
    streamSequence: msg.info.streamSequence,
    deliveryCount: msg.info.deliveryCount,
    msgId: headers[MSG_ID_HEADER],
    traceContext: extractTraceContext(headers),
  };
}
