import type { KeyEvent } from '#keys';
import type { KeyLookupEntry } from './key-lookup-read-model.js';

/** What the MCP guard needs for one key id, on either store. */
export const KEY_LOOKUP_EVENT_TYPES = ['KeyMinted', 'KeyRevoked', 'KeyExpired', 'KeyDeleted'] as const;

/**
 * The entry a mint creates, inserted only if absent: deleted keys stay, marked 'deleted', so a replayed
 * KeyMinted cannot bring them back. Status changes: key-status.ts.
 */
export const keyLookupEntryOf = ({ data: d }: Extract<KeyEvent, { type: 'KeyMinted' }>): KeyLookupEntry => ({
  keyId: d.keyId,
  companyId: d.companyId,
  userId: d.actorUserId,
  userName: d.actorName,
  creatorRole: d.creatorRole,
  permissions: d.permissions,
  verifier: d.verifier,
  status: 'active',
  expiresAt: d.expiresAt,
});
