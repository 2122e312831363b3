import type { KeyUsed } from '#keys';
import { useBucketOf } from './activity-feed.rules.js';

const usedAt = (at: string): KeyUsed => ({
  type: 'KeyUsed',
  data: {
    companyId: 'acme', keyId: 'kg_1', actorUserId: 'alice', actorName: 'Alice', at, correlationId: 'c1',
    tool: 'whoami', outcome: 'ok', client: { name: 'cli', version: '1' }, remoteAddress: null, requestId: 'r1',
  },
});

/** What a roll-up's minute and time of day were before the fast path: a Date round trip of `at`. */
const roundTrip = (at: string, start: number, end: number): string => {
  const ms = Date.parse(at);
  return Number.isNaN(ms) ? at : new Date(ms).toISOString().slice(start, end);
};

describe("a roll-up's minute and time of day (useBucketOf)", () => {
  // The clock's own strings take a slice; everything else the round trip, so the same uses land in the same bucket
  // as before, and a rebuild equals what the live side wrote.
  it.each([
    '2026-12-01T23:59:59.999Z', // as the clock writes it
    '2026-02-28T00:00:00.000Z',
    '2026-02-29T10:00:00.000Z', // no such day: rolls over to 1 March
    '2026-04-31T00:00:00.000Z', // no such day
    '2026-12-31T12:34:56.789Z', // a 31st: valid, taken the slow way
    '2026-12-01T24:00:00.000Z', // hour 24: the next day
    '2026-12-01T10:00:00Z', // no milliseconds
    '2026-12-01T10:00:00.000+02:00', // an offset
    '2026-12-01T10:00:00.1234Z', // more digits
    'not a date',
  ])('%s: as a Date round trip gives it', (at) => {
    const bucket = useBucketOf(usedAt(at), 1, undefined);
    expect(bucket.minute).toBe(roundTrip(at, 0, 16));
    expect(bucket.detail).toContain(`at ${roundTrip(at, 11, 19)} UTC`);
  });
});
