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

const KEYS_HEADER = ['KEY ID', 'STATUS', 'LABEL', 'MINTED BY', 'OWNER', 'CREATED', 'EXPIRES', 'LAST USED', 'USES', 'ROTATION', 'REVOKED BY', 'DELETED BY', 'PERMISSIONS'];

/** "from K", "to K until T", both, or none. */
const rotation = (k: KeyAtInstant): string => {
  const parts = [
    ...(k.rotatedFrom ? [`from ${printable(k.rotatedFrom)}`] : []),
    ...(k.rotatedTo ? [`to ${printable(k.rotatedTo)} until ${printable(k.overlapEndsAt ?? '?')}`] : []),
  ];
  return parts.length ? parts.join(', ') : NONE;
};

const revokedBy = (k: KeyAtInstant): string => {
  const who = personAt(k.revokedBy);
  if (!k.revocationReason) return who;
  return k.revokedBy ? `${who} (${k.revocationReason})` : `(${k.revocationReason}, not recorded yet)`;
};

/** keysAt as a table: a header line, then one line a key. */
export const keysAtTable = (keys: readonly KeyAtInstant[]): string[] =>
  alignedRows([
    KEYS_HEADER,
    ...keys.map((k) => [
      printable(k.keyId),
      k.status,
      quoted(k.label),
      person(k.mintedBy),
      person(k.owner),
      printable(k.createdAt),
      printable(k.expiresAt),
      k.lastUsedAt ? printable(k.lastUsedAt) : NONE,
      String(k.useCount),
      rotation(k),
      revokedBy(k),
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
    case 'minted': {
      const owner = e.owner.userId === e.by.userId ? '' : `, for ${person(e.owner)}`;
      const replaces = e.rotatedFrom ? `, replaces ${printable(e.rotatedFrom)}` : '';
      return [
        e.at,
        'minted',
        person(e.by),
        `${quoted(e.label)} ${printable(e.prefix)}, role ${e.creatorRole}, permissions ${list(e.permissions)}, expires ${printable(e.expiresAt)}${owner}${replaces}`,
      ];
    }
    case 'rotated':
      return [e.at, 'rotated', person(e.by), `replaced by ${printable(e.rotatedTo)}, works until ${printable(e.overlapEndsAt)}`];
    case 'suspended':
      return [e.at, 'suspended', person(e.by), ''];
    case 'resumed':
      return [e.at, 'resumed', person(e.by), ''];
    case 'expiring':
      return [e.at, 'expiring', person(e.by), `warned ${e.daysBefore} day${e.daysBefore === 1 ? '' : 's'} before expiresAt ${printable(e.expiresAt)}`];
    case 'used': {
      const { ok, error, denied } = e.outcomes;
      const tool = e.tool === null ? 'no tool (initialize, tools/list)' : `tool ${printable(e.tool)}`;
      return [e.at, `used ×${e.count}`, client(e.client), `${tool}, ${printable(e.firstAt)} to ${printable(e.lastAt)}: ${ok} ok, ${error} error, ${denied} denied`];
    }
    case 'revoked':
      if (!e.recorded) return [e.at, 'revoked', NONE, 'its rotation overlap ended; no KeyRevoked recorded yet (the guard refuses it all the same)'];
      return [e.at, 'revoked', e.by ? person(e.by) : NONE, e.reason === 'rotated' ? 'replaced by its rotation' : e.reason === 'offboarded' ? 'its owner was offboarded' : ''];
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
