import { invalid } from '#keys';

// A cursor is opaque to clients: the log position of the last entry they saw; the next page holds the entries
// strictly below it. A position is never reused, so a cursor stays valid whatever happens to the entries.
export const encodeCursor = (position: number): string => Buffer.from(`p${position}`).toString('base64url');

export const decodeCursor = (cursor: string): number => {
  const m = /^p(\d{1,15})$/.exec(Buffer.from(cursor, 'base64url').toString());
  if (!m) throw invalid('The cursor is not one this API returned; start again without it.');
  return Number(m[1]);
};
