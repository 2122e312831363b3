/**
 * Text from the log made safe for a terminal. The writers' schema refuses control characters in names and labels,
 * but the readers' schema accepts events written before that rule: a label holding an escape sequence must not be
 * able to rewrite an auditor's screen. Control characters (C0, DEL, C1) and lone surrogates become \u escapes.
 */
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

export const printable = (text: string): string =>
  text.replace(UNSAFE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
