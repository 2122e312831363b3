import { invalid } from './key-errors.js';

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** "API Key May 10, 2026": the name a key gets when its creator leaves the label empty (UTC date). */
export const defaultLabel = (at: Date): string =>
  `API Key ${MONTHS[at.getUTCMonth()]} ${at.getUTCDate()}, ${at.getUTCFullYear()}`;

// Control characters would let a label forge lines in logs and exports.
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

/** Trims, applies the default, and enforces 1..max characters (counted as code points). */
export const normalizeLabel = (raw: string | undefined | null, at: Date, max: number): string => {
  const label = (raw ?? '').trim();
  if (label.length === 0) return defaultLabel(at);
  if (CONTROL.test(label)) throw invalid('The label must not contain control characters.');
  const length = [...label].length;
  if (length > max) throw invalid(`The label is ${length} characters long; at most ${max} are allowed.`);
  return label;
};
