/**
 * An instant as an auditor types it, for `audit at <time>` and `?at=`: ISO 8601 with a zone (`Z` or `±hh:mm`), a
 * bare date (midnight UTC), or `now`. Refused, rather than guessed: a time without a zone (whose local time?),
 * anything Date.parse would stretch ("2026-02-30", "March 7"), more than 64 characters. Fractions beyond the
 * millisecond (the log's precision) are cut.
 */
const INSTANT = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-](\d{2}):(\d{2})))?$/;

export const INSTANT_FORMAT = 'an ISO 8601 time with a zone (2026-05-10T12:00:00Z, 2026-05-10T14:00+02:00), a date (2026-05-10, midnight UTC) or now';

const daysIn = (year: number, month: number): number =>
  month === 2 ? (year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28) : [4, 6, 9, 11].includes(month) ? 30 : 31;

export const parseInstant = (text: string, now: () => Date = () => new Date()): Date | null => {
  if (text === 'now') return now();
  if (text.length > 64) return null;
  const m = INSTANT.exec(text);
  if (!m) return null;
  const [, y, mo, d, h = '0', mi = '0', s = '0', fraction = '', zone = 'Z', zh = '0', zm = '0'] = m;
  const [year, month, day, hour, minute, second] = [y, mo, d, h, mi, s].map(Number);
  if (month < 1 || month > 12 || day < 1 || day > daysIn(year, month)) return null;
  if (hour > 23 || minute > 59 || second > 59 || Number(zh) > 23 || Number(zm) > 59) return null;
  const ms = Number(fraction.padEnd(3, '0').slice(0, 3));
  const offset = zone === 'Z' ? 0 : (zone.startsWith('-') ? -1 : 1) * (Number(zh) * 60 + Number(zm));
  // setUTCFullYear, not Date.UTC, which reads years 0..99 as 1900..1999.
  const instant = new Date(0);
  instant.setUTCFullYear(year, month - 1, day);
  instant.setUTCHours(hour, minute, second, ms);
  instant.setTime(instant.getTime() - offset * 60_000);
  return Number.isFinite(instant.getTime()) ? instant : null;
};
