/**
 * Whether a version satisfies an npm range made of comparators (`>=20.19`, `>=20.19.0 <21`, `20.x`, joined
 * by `||`): the forms package.json "engines" uses here. Anything else throws rather than guess.
 */
type Version = [number, number, number];

const parseVersion = (text: string): Version => {
  const match = /^v?(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (!match) throw new Error(`not a full version: "${text}"`);
  return [Number(match[1]), Number(match[2]), Number(match[3])];
};

const compare = (a: Version, b: Version): number => a[0] - b[0] || a[1] - b[1] || a[2] - b[2];

const comparatorHolds = (version: Version, comparator: string): boolean => {
  const match = /^(>=|<=|>|<|=)?v?(\d+)(?:\.(\d+|x|\*))?(?:\.(\d+|x|\*))?$/.exec(comparator);
  if (!match) throw new Error(`unsupported range comparator: "${comparator}"`);
  const [, op = '=', major, minor, patch] = match;
  const wild = (part: string | undefined) => part === undefined || part === 'x' || part === '*';
  const low: Version = [Number(major), wild(minor) ? 0 : Number(minor), wild(patch) ? 0 : Number(patch)];
  // A partial version (`20`, `20.19`) stands for every version it prefixes.
  const high: Version = wild(minor) ? [low[0] + 1, 0, 0] : wild(patch) ? [low[0], low[1] + 1, 0] : [low[0], low[1], low[2] + 1];
  switch (op) {
    case '>=':
      return compare(version, low) >= 0;
    case '>':
      return compare(version, high) >= 0;
    case '<':
      return compare(version, low) < 0;
    case '<=':
      return compare(version, high) < 0;
    default:
      return compare(version, low) >= 0 && compare(version, high) < 0;
  }
};

export const satisfies = (version: string, range: string): boolean => {
  const parsed = parseVersion(version);
  return range.split('||').some((set) =>
    set.trim().split(/\s+/).filter(Boolean).every((comparator) => comparatorHolds(parsed, comparator)),
  );
};
