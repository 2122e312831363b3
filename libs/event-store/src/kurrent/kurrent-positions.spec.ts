import { ANY, NO_STREAM, START, STREAM_EXISTS, type Position } from '@kurrent/kurrentdb-client';
import { comparePositions, globalPositionOf, hasLogPosition, isAfterCheckpoint, resumeFrom } from './kurrent-positions.js';
import { actualStreamPosition, toStreamState } from './kurrent-stream-state.js';

const at = (commit: number, prepare = commit): Position => ({ commit: BigInt(commit), prepare: BigInt(prepare) });
const NO_POSITION = { commit: 2n ** 64n - 1n, prepare: 2n ** 64n - 1n };

describe('KurrentDB positions as global positions', () => {
  // Three events of one append, as KurrentDB reports each: at its own record, commit === prepare.
  const batch = [at(1000), at(1180), at(1362)];
  // A legacy explicit transaction: two events sharing the commit record's position 2000, then one more event.
  const legacy = [at(2000, 1500), at(2000, 1700), at(2100)];
  const log = [...batch, ...legacy];
  const after = (checkpoint: number) => log.filter((p) => isAfterCheckpoint(p, checkpoint));

  it('uses the commit position, so the events of one append get distinct, increasing positions', () => {
    expect(batch.map(globalPositionOf)).toEqual([1000, 1180, 1362]);
  });

  it('resuming after any event of an append yields exactly the events after it', () => {
    expect(after(0)).toEqual(log);
    expect(after(1000)).toEqual(log.slice(1));
    expect(after(1180)).toEqual(log.slice(2));
    expect(after(1362)).toEqual(legacy);
  });

  it('re-delivers a whole shared-commit group after a checkpoint at it, never skips part of it', () => {
    expect(legacy.map(globalPositionOf)).toEqual([2000, 2000, 2100]);
    expect(after(2000)).toEqual(legacy);
    expect(after(2100)).toEqual([]);
  });

  it('resumes reads from {checkpoint, 0}, so the server does not drop the group members before the commit', () => {
    expect(resumeFrom(0)).toBe(START);
    expect(resumeFrom(1180)).toEqual({ commit: 1180n, prepare: 0n });
    for (const p of log.filter((q) => isAfterCheckpoint(q, 2000))) {
      expect(comparePositions(p, resumeFrom(2000) as Position)).toBe(1);
    }
  });

  it('orders like $all: by commit position, then prepare position', () => {
    expect(comparePositions(at(2000, 1500), at(2000, 1700))).toBe(-1);
    expect(comparePositions(at(1362), at(2000, 1500))).toBe(-1);
    expect(comparePositions(at(2100), at(2000, 1700))).toBe(1);
    expect(comparePositions(at(1180), at(1180))).toBe(0);
  });

  it('refuses events without a position, positions beyond exact numbers, and malformed checkpoints', () => {
    expect(hasLogPosition(undefined)).toBe(false);
    expect(hasLogPosition(NO_POSITION)).toBe(false);
    expect(() => globalPositionOf(undefined)).toThrow(/without a log position/);
    expect(() => globalPositionOf(NO_POSITION)).toThrow(/without a log position/);
    expect(globalPositionOf({ commit: BigInt(Number.MAX_SAFE_INTEGER), prepare: 0n })).toBe(Number.MAX_SAFE_INTEGER);
    expect(() => globalPositionOf({ commit: BigInt(Number.MAX_SAFE_INTEGER) + 1n, prepare: 0n })).toThrow(RangeError);
    for (const bad of [-1, 1.5, Number.NaN, 2 ** 53]) expect(() => resumeFrom(bad)).toThrow(RangeError);
  });
});

describe('expected and actual stream states', () => {
  it('maps every expected state explicitly', () => {
    expect(toStreamState('no_stream')).toBe(NO_STREAM);
    expect(toStreamState('stream_exists')).toBe(STREAM_EXISTS);
    expect(toStreamState('any')).toBe(ANY);
    expect(toStreamState(0)).toBe(0n);
    expect(toStreamState(41)).toBe(41n);
  });

  it('refuses a position that is not a non-negative integer', () => {
    for (const bad of [-1, 0.5, Number.NaN]) expect(() => toStreamState(bad)).toThrow(RangeError);
  });

  it('reports the current stream position, -1 when there is no last event', () => {
    expect(actualStreamPosition(NO_STREAM)).toBe(-1);
    expect(actualStreamPosition(0n)).toBe(0);
    expect(actualStreamPosition(7n)).toBe(7);
    expect(actualStreamPosition(-5n)).toBe(-1); // deleted
  });
});
