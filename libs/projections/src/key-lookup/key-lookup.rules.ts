import { keyOwner, type KeyEvent } from '#keys';
import type { KeyLookupEntry } from './key-lookup-read-model.js';

/** What the MCP guard needs for one key id, on either store (not the expiry warnings: they change nothing for it). */
export const KEY_LOOKUP_EVENT_TYPES = ['KeyMinted', 'KeyRotated', 'KeyRevoked', 'KeySuspended', 'KeyResumed', 'KeyExpired', 'KeyDeleted'] as const;

/**
 * The entry a mint creates, for the key's owner (keyOwner), inserted only if absent: deleted keys stay, marked
 * 'deleted', so a replayed KeyMinted cannot bring them back. What changes after it (status, rotation): key-status.ts.
 */
export const keyLookupEntryOf = ({ data: d }: Extract<KeyEvent, { type: 'KeyMinted' }>): KeyLookupEntry => {
  const owner = keyOwner(d);
  return {
    keyId: d.keyId,
    companyId: d.companyId,
    userId: owner.userId,
    userName: owner.name,
    creatorRole: d.creatorRole,
    permissions: d.permissions,
    verifier: d.verifier,
    status: 'active',
    expiresAt: d.expiresAt,
    rotatedTo: null,
    overlapEndsAt: null,
  };
};
