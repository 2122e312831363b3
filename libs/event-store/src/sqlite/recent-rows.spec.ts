import { RecentRows, type EventRow } from './recent-rows.js';

const row = (position: number, type = 'KeyUsed'): EventRow => ({
  global_position: position,
  event_id: `e${position}`,
  stream_id: 's',
  stream_position: position - 1,
  type,
  data: '{}',
  metadata: '{}',
  recorded_at: '2026-12-02T00:00:00.000Z',
});
const rows = (from: number, to: number, type?: string) => Array.from({ length: to - from + 1 }, (_, i) => row(from + i, type));
const positions = (read: EventRow[]) => read.map((r) => r.global_position);

describe('RecentRows', () => {
  it('serves and covers nothing before rows are added, nor after it is cleared', () => {
    const recent = new RecentRows(10, 1e6);
    expect([recent.covers(-1), recent.covers(0), recent.serves(-1, -1)]).toEqual([false, false, false]);

    recent.add(rows(1, 3));
    recent.clear();
    expect([recent.covers(0), recent.covers(3), recent.serves(0, 3)]).toEqual([false, false, false]);
  });

  it('given rows 5..9 added, serves a read after 4..9 while the head is 9, as SQLite would answer it', () => {
    const recent = new RecentRows(10, 1e6);
    recent.add(rows(5, 7));
    recent.add(rows(8, 9));

    expect(recent.serves(4, 9)).toBe(true);
    expect(positions(recent.read(4, 100))).toEqual([5, 6, 7, 8, 9]);
    expect(positions(recent.read(6, 2))).toEqual([7, 8]);
    expect(positions(recent.read(6.5, 100))).toEqual([7, 8, 9]); // a checkpoint between two positions
    expect(positions(recent.read(9, 100))).toEqual([]);
  });

  it('does not serve a read from before its first row, nor while the head is past its last (written elsewhere, or not yet answered)', () => {
    const recent = new RecentRows(10, 1e6);
    recent.add(rows(5, 9));

    expect(recent.serves(3, 9)).toBe(false);
    expect(recent.serves(4, 10)).toBe(false);
  });

  it('covers a read after any of its rows, whatever the head: the log as it was at its last row', () => {
    const recent = new RecentRows(10, 1e6);
    recent.add(rows(5, 9));

    expect([3, 4, 7, 9, 10].map((after) => recent.covers(after))).toEqual([false, true, true, true, false]);
  });

  it('starts over at a row that does not follow the last: what came between was written by someone else', () => {
    const recent = new RecentRows(10, 1e6);
    recent.add(rows(5, 9));
    recent.add(rows(12, 13)); // 10 and 11: another process

    expect(recent.serves(9, 13)).toBe(false);
    expect(recent.serves(11, 13)).toBe(true);
    expect(positions(recent.read(11, 100))).toEqual([12, 13]);
  });

  it('filters by type and counts the limit in rows returned', () => {
    const recent = new RecentRows(10, 1e6);
    recent.add([row(1, 'KeyMinted'), row(2), row(3), row(4, 'KeyRevoked'), row(5, 'KeyMinted')]);

    expect(positions(recent.read(0, 100, ['KeyMinted', 'KeyRevoked']))).toEqual([1, 4, 5]);
    expect(positions(recent.read(0, 2, ['KeyMinted', 'KeyRevoked']))).toEqual([1, 4]);
    expect(positions(recent.read(0, 100, []))).toEqual([1, 2, 3, 4, 5]);
  });

  it('keeps between capacity and twice capacity rows, dropping the oldest', () => {
    const recent = new RecentRows(4, 1e6);
    for (let p = 1; p <= 9; p++) recent.add([row(p)]);

    expect(recent.serves(5, 9)).toBe(true);
    expect(recent.serves(4, 9)).toBe(false);
    expect(positions(recent.read(5, 100))).toEqual([6, 7, 8, 9]);
  });

  it('keeps at most twice maxChars of data, dropping the oldest down to maxChars: a run of large events ends sooner', () => {
    const recent = new RecentRows(100, 10);
    const large = (position: number) => ({ ...row(position), data: 'x'.repeat(4) }); // 4 + 2 characters each
    for (let p = 1; p <= 3; p++) recent.add([large(p)]);

    expect(positions(recent.read(0, 100))).toEqual([1, 2, 3]); // 18 characters: not over twice 10
    recent.add([large(4)]); // 24: trimmed to 10 or less, the newest kept
    expect(recent.serves(2, 4)).toBe(false);
    expect(recent.serves(3, 4)).toBe(true);
    expect(positions(recent.read(3, 100))).toEqual([4]);
  });

  it('holds nothing after a row larger than maxChars alone, and covers nothing before the next', () => {
    const recent = new RecentRows(100, 10);
    recent.add([{ ...row(1), data: 'x'.repeat(30) }]);

    expect([recent.covers(0), recent.covers(1)]).toEqual([false, false]);
    recent.add([row(2)]);
    expect(recent.covers(1)).toBe(true);
    expect(positions(recent.read(1, 100))).toEqual([2]);
  });
});
