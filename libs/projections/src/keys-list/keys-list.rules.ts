import { KEY_LIFECYCLE_EVENT_TYPES, keyOwner, type KeyEvent, type KeyEventType } from '#keys';
import type { KeyListRow } from './keys-read-model.js';

/**
 * The settings page's keys list: one row per key, on either store. Every lifecycle event but the acknowledgement
 * (which makes no key), so a lifecycle event added later reaches the list, and the uses (Last Used).
 */
export const KEYS_LIST_EVENT_TYPES: readonly KeyEventType[] = [
  ...KEY_LIFECYCLE_EVENT_TYPES.filter((type) => type !== 'KeyAcknowledged'),
  'KeyUsed',
];

/**
 * The row a mint creates, for the key's owner (keyOwner). Inserted only if absent: deleted keys keep their row,
 * marked 'deleted' (the queries skip them), so a replayed KeyMinted cannot bring them back. What changes after
 * it (status, rotation, expiry warning): key-status.ts. A use moves lastUsedAt forward only (ISO 8601 UTC
 * strings of one format sort like the instants they name), so a replayed or out-of-order use is harmless.
 */
export const keyListRowOf = ({ data: d }: Extract<KeyEvent, { type: 'KeyMinted' }>): KeyListRow => {
  const owner = keyOwner(d);
  return {
    keyId: d.keyId,
    companyId: d.companyId,
    userId: owner.userId,
    userName: owner.name,
    label: d.label,
    prefix: d.prefix,
    createdAt: d.at,
    expiresAt: d.expiresAt,
    lastUsedAt: null,
    status: 'active',
    permissions: [...d.permissions],
    rotatedFrom: d.rotatedFrom ?? null,
    rotatedTo: null,
    overlapEndsAt: null,
    revocationReason: null,
    expiryWarnedDaysBefore: null,
  };
};
