export type KeyStatus = 'active' | 'revoked' | 'expired' | 'deleted';

/**
 * The status changes both per-key read models (keys list, lookup) make, on either store. Each is guarded by
 * the key's last position (an event at or below it was applied already), and an expiry moves only an active
 * key: it never overwrites a revocation. A status event for a key with no row has nothing to change.
 */
const STATUS_CHANGES: Record<string, { status: Exclude<KeyStatus, 'active'>; onlyFromActive: boolean }> = {
  KeyRevoked: { status: 'revoked', onlyFromActive: false },
  KeyExpired: { status: 'expired', onlyFromActive: true },
  KeyDeleted: { status: 'deleted', onlyFromActive: false },
};

export type StatusChange = (typeof STATUS_CHANGES)[string];

export const statusChangeOf = (eventType: string): StatusChange | null => STATUS_CHANGES[eventType] ?? null;

export const STATUS_EVENT_TYPES = Object.keys(STATUS_CHANGES);
