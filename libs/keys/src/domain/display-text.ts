/**
 * The one rule for text that people read or that lands in logs and exports (labels, names, client names):
 * no control characters. A control character could forge a line in a log or an export, clear a terminal, or
 * (bidirectional overrides, "Trojan Source") make a label read differently from what it holds.
 *
 * - C0 and C1 controls and DEL (Unicode category Cc);
 * - the line and paragraph separators U+2028 / U+2029 (a new line to many log viewers);
 * - the bidirectional embeddings, overrides and isolates U+202A–U+202E, U+2066–U+2069.
 *
 * Text a person types into Keygate (a label) is refused when it holds one; text Keygate receives from other
 * programs (the identity provider's name, an MCP client's name) has each replaced with U+FFFD, and is cut to
 * its bound, so a request is never refused for what another program wrote.
 */
export const CONTROL_CHARACTER = /[\p{Cc}\u2028\u2029\u202A-\u202E\u2066-\u2069]/u;
const CONTROL_CHARACTERS = /[\p{Cc}\u2028\u2029\u202A-\u202E\u2066-\u2069]/gu;
// A surrogate without its pair is not text: it cannot be encoded as UTF-8 (MongoDB refuses it, SQLite mangles it).
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

const HAS_LONE_SURROGATE = new RegExp(LONE_SURROGATE.source);

export const isWellFormed = (text: string): boolean => !HAS_LONE_SURROGATE.test(text);

export const hasControlCharacter = (text: string): boolean => CONTROL_CHARACTER.test(text);

/** Length in code points, as a person counts characters (an emoji is one, not two). */
export const codePointLength = (text: string): number => {
  let n = 0;
  for (const _ of text) n++;
  return n;
};

/**
 * A value from another program made fit to store and show: only strings are taken (anything else is
 * absent), lone surrogates and control characters become U+FFFD, it is trimmed and cut to `max` code points.
 * Null when nothing is left.
 */
export const toDisplayText = (raw: unknown, max: number): string | null => {
  if (typeof raw !== 'string') return null;
  // Look at no more than can be kept: a 10 MB string costs as much as a short one.
  const head = raw.length > max * 2 + 2 ? raw.slice(0, max * 2 + 2) : raw;
  const clean = head.replace(LONE_SURROGATE, '\uFFFD').replace(CONTROL_CHARACTERS, '\uFFFD').trim();
  if (clean.length === 0) return null;
  const points = [...clean];
  return points.length > max ? points.slice(0, max).join('').trimEnd() : clean;
};
