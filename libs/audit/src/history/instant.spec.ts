import { parseInstant } from './instant.js';

describe('parseInstant', () => {
  it.each([
    ['2026-05-10T12:00:00Z', '2026-05-10T12:00:00.000Z'],
    ['2026-05-10T12:00:00.123Z', '2026-05-10T12:00:00.123Z'],
    ['2026-05-10T12:00:00.123456789Z', '2026-05-10T12:00:00.123Z'],
    ['2026-05-10T12:00Z', '2026-05-10T12:00:00.000Z'],
    ['2026-05-10T14:00:00+02:00', '2026-05-10T12:00:00.000Z'],
    ['2026-05-10T08:30-03:30', '2026-05-10T12:00:00.000Z'],
    ['2026-05-10', '2026-05-10T00:00:00.000Z'],
    ['2024-02-29', '2024-02-29T00:00:00.000Z'],
    ['0099-01-01T00:00:00Z', '0099-01-01T00:00:00.000Z'],
  ])('reads %s as %s', (text, expected) => {
    expect(parseInstant(text)?.toISOString()).toBe(expected);
  });

  it.each([
    ['a time without a zone', '2026-05-10T12:00:00'],
    ['a day that does not exist', '2026-02-30'],
    ['February 29 of a common year', '2026-02-29'],
    ['hour 24', '2026-05-10T24:00:00Z'],
    ['a month 13', '2026-13-01'],
    ['free text Date.parse would accept', 'March 7, 2026'],
    ['a number', '1778414400000'],
    ['nothing', ''],
    ['too long', `2026-05-10T12:00:00.${'1'.repeat(60)}Z`],
  ])('refuses %s', (_, text) => {
    expect(parseInstant(text)).toBeNull();
  });

  it('reads "now" from the clock it is given', () => {
    const clock = new Date('2026-05-10T12:00:00Z');
    expect(parseInstant('now', () => clock)).toBe(clock);
  });
});
