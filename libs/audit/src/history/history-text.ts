import { codePointLength } from '#keys';
import type { KeyAtInstant, Person, PersonAt } from './keys-at.js';
import { printable } from './printable.js';
import type { TimelineEntry } from './timeline.js';

/**
 * The human form of keysAt and timelineOf (`npm run audit -- at | timeline` without --json): aligned columns,
 * every value from the log made printable (printable.ts), labels quoted so their spaces cannot shift a column.
 */

const NONE = '-';

const quoted = (text: string): string => printable(JSON.stringify(text));
const person = (p: Person): string => printable(`${p.name} (${p.userId})`);
const personAt = (p: PersonAt | null): string => (p ? `${person(p)} ${printable(p.at)}` : NONE);
const list = (items: readonly string[]): string => (items.length ? printable(items.join(',')) : NONE);

/** Rows padded to their columns' widths (in code points, as a person counts characters); the last column is not padded. */
export const alignedRows = (rows: readonly (readonly string[])[]): string[] => {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, codePointLength(cell))));
  return rows.map((row) =>
    row
      .map((cell, i) => (i === row.length - 1 ? cell : cell + ' '.repeat(widths[i] - codePointLength(cell))))
      .join('  ')
      .trimEnd(),
  );
};

const KEYS_HEADER = ['KEY ID', 'STATUS', 'LABEL', 'MINTED BY', 'CREATED', 'EXPIRES', 'LAST USED', 'USES', 'REVOKED BY', 'DELETED BY', 'PERMISSIONS'];

/** keysAt as a table: a header line, then one line a key. */
export const keysAtTable = (keys: readonly KeyAtInstant[]): string[] =>
  alignedRows([
    KEYS_HEADER,
    ...keys.map((k) => [
      printable(k.keyId),
      k.status,
      quoted(k.label),
      person(k.mintedBy),
      printable(k.createdAt),
      printable(k.expiresAt),
      k.lastUsedAt ? printable(k.lastUsedAt) : NONE,
      String(k.useCount),
      personAt(k.revokedBy),
      personAt(k.deletedBy),
      list(k.permissions),
    ]),
  ]);

const client = (c: { name: string | null; version: string | null }): string =>
  c.name === null && c.version === null ? '(client not announced)' : printable([c.name ?? '(unnamed client)', c.version].filter(Boolean).join(' '));

const entryCells = (e: TimelineEntry): [string, string, string, string] => {
  switch (e.kind) {
    case 'acknowledged':
      return [e.at, 'acknowledged', person(e.by), `notice ${printable(e.noticeVersion)}, acknowledgement ${printable(e.acknowledgementId)}`];
    case 'minted':
      return [e.at, 'minted', person(e.by), `${quoted(e.label)} ${printable(e.prefix)}, role ${e.creatorRole}, permissions ${list(e.permissions)}, expires ${printable(e.expiresAt)}`];
    case 'used': {
      const { ok, error, denied } = e.outcomes;
      const tool = e.tool === null ? 'no tool (initialize, tools/list)' : `tool ${printable(e.tool)}`;
      return [e.at, `used ×${e.count}`, client(e.client), `${tool}, ${printable(e.firstAt)} to ${printable(e.lastAt)}: ${ok} ok, ${error} error, ${denied} denied`];
    }
    case 'revoked':
      return [e.at, 'revoked', person(e.by), ''];
    case 'expired':
      return [
        e.at,
        'expired',
        e.by ? person(e.by) : NONE,
        e.recorded ? `expiresAt ${printable(e.expiresAt)}` : `at its expiresAt; no KeyExpired recorded yet (the guard refuses it all the same)`,
      ];
    case 'deleted':
      return [e.at, 'deleted', person(e.by), ''];
  }
};

/** timelineOf as a list: a header line, then one line an entry, in order. */
export const timelineLines = (entries: readonly TimelineEntry[]): string[] =>
  alignedRows([['TIME', 'EVENT', 'BY / CLIENT', 'DETAIL'], ...entries.map((e) => entryCells(e).map((c, i) => (i === 0 ? printable(c) : c)))]);
