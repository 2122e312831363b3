import type { KeyLookupEntry } from './key-lookup-read-model.js';

/**
 * v2 (issue 15): suspended status, rotated_to and overlap_ends_at; user_id/user_name are the key's owner
 * (keyOwner). Built beside key_lookup_v1 from the log; v1 is no longer written.
 */
export const KEY_LOOKUP_TABLE = 'key_lookup_v2';

/** The columns a mint inserts, in order (status 'active', no rotation yet: see keyLookupInsertValues). */
export const KEY_LOOKUP_INSERT = `(key_id, company_id, user_id, user_name, creator_role, permissions, verifier, status, expires_at, rotated_to, overlap_ends_at, last_position)
  VALUES (?, ?, ?, ?, ?, ?, ?, 'active', ?, NULL, NULL, ?)`;

export const keyLookupInsertValues = (e: KeyLookupEntry, p: number) =>
  [e.keyId, e.companyId, e.userId, e.userName, e.creatorRole, JSON.stringify(e.permissions), e.verifier, e.expiresAt, p] as const;
