/**
 * Whether `a` sorts after `b` as SQLite compares TEXT (BINARY collation: the UTF-8 bytes, that is code point
 * order), for a fold in memory that must pick what SQL's MAX() would. JavaScript's `>` compares UTF-16 code
 * units, which differs from code point order only past a surrogate: checked there alone.
 */
export const sqliteTextAfter = (a: string, b: string): boolean => {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    if (x < 0xd800 && y < 0xd800) return x > y;
    return a.codePointAt(i)! > b.codePointAt(i)!;
  }
  return a.length > b.length;
};
