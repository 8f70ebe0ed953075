/** Core NATS request/reply (not stored): may this generation start? Answers approved or refused with a reason. */
export const METERING_AUTHORIZE_SUBJECT = 'metering.v1.authorize';
/** Post-paid usage events, kept in METERING_USAGE until metering has forwarded them to the ledger. */
export const METERING_USAGE_RECORD_SUBJECT = 'metering.v1.usage.record';
export const METERING_USAGE_STREAM = 'METERING_USAGE';
export const METERING_USAGE_CONSUMER = 'metering-usage';
