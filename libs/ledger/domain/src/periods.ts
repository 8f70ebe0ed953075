/**
 * Monthly periods in UTC. A period starts on the anchor day of a month at 00:00 UTC and ends on
 * the anchor day of the next month. Anchors are limited to 1-28 so every month has the day.
 */
export const MIN_ANCHOR_DAY = 1;
export const MAX_ANCHOR_DAY = 28;
const PERIOD = /^(\d{4})-(0[1-9]|1[0-2])$/;

export interface Period {
  /** `YYYY-MM` of the month in which the period starts. */
  readonly key: string;
  readonly start: number;
  readonly end: number;
}

function periodFrom(year: number, monthIndex: number, anchorDay: number): Period {
  const start = Date.UTC(year, monthIndex, anchorDay);
  const startDate = new Date(start);
  const key = `${startDate.getUTCFullYear()}-${String(startDate.getUTCMonth() + 1).padStart(2, '0')}`;
  return { key, start, end: Date.UTC(year, monthIndex + 1, anchorDay) };
}

export function periodAt(now: number, anchorDay: number): Period {
  const d = new Date(now);
  const y = d.getUTCFullYear();
  const m = d.getUTCMonth();
  return d.getUTCDate() >= anchorDay ? periodFrom(y, m, anchorDay) : periodFrom(y, m - 1, anchorDay);
}

export function parsePeriod(key: string, anchorDay: number): Period | undefined {
  const match = PERIOD.exec(key);
  if (!match) return undefined;
  return periodFrom(Number(match[1]), Number(match[2]) - 1, anchorDay);
}
