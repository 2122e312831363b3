import type { KeyListRow } from './keys-read-model.js';

/**
 * v2 (issue 15): suspended status, the permission snapshot, rotation (rotated_from, rotated_to, overlap_ends_at),
 * the revocation reason and the expiry warning; user_id/user_name are the key's owner (keyOwner). Built beside
 * keys_list_v1 from the log; v1 is no longer written.
 */
export const KEYS_LIST_TABLE = 'keys_list_v2';

/** The columns a mint inserts, in order (last_used_at NULL, the changing fields as minted: see keysListInsertValues). */
export const KEYS_LIST_INSERT_COLUMNS = `key_id, company_id, user_id, user_name, label, prefix, created_at, expires_at, last_used_at, status,
  permissions, rotated_from, rotated_to, overlap_ends_at, revocation_reason, expiry_warned_days_before, created_position, last_position`;
export const KEYS_LIST_INSERT_VALUES = `?, ?, ?, ?, ?, ?, ?, ?, NULL, 'active', ?, ?, NULL, NULL, NULL, NULL, ?, ?`;

/** The values of KEYS_LIST_INSERT_VALUES' placeholders for a mint at position p. */
export const keysListInsertValues = (r: KeyListRow, p: number) =>
  [r.keyId, r.companyId, r.userId, r.userName, r.label, r.prefix, r.createdAt, r.expiresAt, JSON.stringify(r.permissions), r.rotatedFrom, p, p] as const;
