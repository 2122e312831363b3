import { validate, version } from 'uuid';
import { timeOrderedIds } from './time-ordered-ids.js';

describe('timeOrderedIds', () => {
  it('gives valid UUIDv7s, each new, ascending across pool refills, within one millisecond and across a clock going back', () => {
    const clock = 1_767_225_600_000;
    const times = [...Array(300).fill(clock), ...Array(300).fill(clock + 5), ...Array(300).fill(clock + 2)];
    let i = 0;
    const next = timeOrderedIds(() => times[i++]);
    const ids = times.map(() => next());
    for (const id of ids) {
      expect(validate(id)).toBe(true);
      expect(version(id)).toBe(7);
    }
    expect(new Set(ids).size).toBe(ids.length);
    // The last 10 hex digits (bytes 11-15) come from the pool alone: each id its own slice, refills included.
    expect(new Set(ids.map((id) => id.slice(-10))).size).toBe(ids.length);
    expect([...ids].sort()).toEqual(ids);
  });

  it('starts a new millisecond with its time in the id', () => {
    const next = timeOrderedIds(() => 0x0190_a3b4_c5d6);
    expect(next().startsWith('0190a3b4-c5d6-7')).toBe(true);
  });
});
