// Anything shaped like one of our API keys or like a JWT is cut out of logged strings (URLs above all: a client
// may put a key in a query string even though we refuse it there).
//
// The work is bounded, whatever a client sends:
// - at most MAX_LOGGED_CHARS characters are logged (and so scanned); the rest is dropped, with its length noted,
//   and so is the word the cut falls in, so a half token never reaches the log;
// - both searches are linear in the length. The API-key pattern starts at a literal `kg_` and stops at the first
//   character outside [0-9A-Za-z]. The JWT search is not a regular expression: /eyJ[…]+\.[…]+\.[…]*/ is
//   quadratic on `eyJeyJeyJ…` (every `eyJ` rescans the run to its end looking for a dot: 15 KB of it cost 47–67 ms
//   of CPU per log line). Here a string is split once into words and dot-separated segments, and a JWT is a
//   segment holding `eyJ` followed by a non-empty segment and one more.

/** Longer strings (a URL) are cut here: no legitimate Keygate URL comes near it. */
export const MAX_LOGGED_CHARS = 2048;

const API_KEY = /kg_[0-9A-Za-z]{4,}(?:_[0-9A-Za-z]*)?/g;
/** Characters a JWT segment is made of (base64url), and the dot between segments. */
const SEGMENT_CHAR = /[0-9A-Za-z_-]/;
const NOT_WORD = /[^0-9A-Za-z_.-]+/g;

/** Replaces every JWT in a word (segment characters and dots only) in one pass over its segments. */
const redactJwtsInWord = (word: string): string => {
  if (!word.includes('eyJ')) return word;
  const segments = word.split('.');
  const out: string[] = [];
  for (let i = 0; i < segments.length; i++) {
    const at = segments[i].indexOf('eyJ');
    // The old pattern's shape: eyJ + 1 or more segment characters, '.', 1 or more, '.', 0 or more.
    if (at >= 0 && segments[i].length > at + 3 && i + 2 < segments.length && segments[i + 1].length > 0) {
      out.push(`${segments[i].slice(0, at)}[REDACTED-JWT]`);
      i += 2; // the JWT ends with segment i + 2; the next dot starts what follows
      continue;
    }
    out.push(segments[i]);
  }
  return out.join('.');
};

const redactJwts = (text: string): string => {
  let result = '';
  let last = 0;
  for (const match of text.matchAll(NOT_WORD)) {
    result += redactJwtsInWord(text.slice(last, match.index)) + match[0];
    last = match.index! + match[0].length;
  }
  return result + redactJwtsInWord(text.slice(last));
};

/** Cuts a string to MAX_LOGGED_CHARS, dropping the word the cut falls in, and says how much was dropped. */
const bounded = (text: string): string => {
  if (text.length <= MAX_LOGGED_CHARS) return text;
  let end = MAX_LOGGED_CHARS;
  while (end > 0 && (SEGMENT_CHAR.test(text[end - 1]) || text[end - 1] === '.')) end--;
  return `${text.slice(0, end)}…[${text.length - end} characters not logged]`;
};

export const redactSecrets = (text: string): string =>
  redactJwts(bounded(text).replace(API_KEY, (m) => `${m.slice(0, 15)}[REDACTED]`));
