import { codePointLength, hasControlCharacter, isWellFormed } from './display-text.js';
import { invalid } from './key-errors.js';

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** "API Key May 10, 2026": the name a key gets when its creator leaves the label empty (UTC date). */
export const defaultLabel = (at: Date): string =>
  `API Key ${MONTHS[at.getUTCMonth()]} ${at.getUTCDate()}, ${at.getUTCFullYear()}`;


/** Trims, applies the default, and enforces 1..max characters (counted as code points). */
export const normalizeLabel = (raw: string | undefined | null, at: Date, max: number): string => {
  const label = (raw ?? '').trim();
  if (label.length === 0) return defaultLabel(at);
  // The one rule for text people read (display-text.ts): a label is typed by a person, so it is refused, not repaired.
  if (hasControlCharacter(label)) throw invalid('The label must not contain control characters (line breaks, tabs, direction overrides).');
  if (!isWellFormed(label)) throw invalid('The label is not well-formed Unicode.');
  const length = codePointLength(label);
  if (length > max) throw invalid(`The label is ${length} characters long; at most ${max} are allowed.`);
  return label;
};
