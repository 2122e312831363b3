import type { KeyEvent, RevocationReason, StoredKeyStatus } from '#keys';

/** A per-key row's stored status (the domain's StoredKeyStatus); readers compute the effective one. */
export type KeyStatus = StoredKeyStatus;

/** Stored statuses of a key that works or can work again: what expires, what a rotation's end revokes. */
export const LIVE_STATUSES = ['active', 'suspended'] as const satisfies readonly KeyStatus[];

/**
 * The status changes both per-key read models (keys list, lookup) make, on either store, as the domain's fold
 * (keyring-state.ts) makes them. Each is guarded by the key's last position (an event at or below it was applied
 * already) and by the statuses it applies to (`from`; null: any):
 * - KeyRevoked → revoked and KeyDeleted → deleted, from any status;
 * - KeyExpired → expired only from a live status (active, suspended): it never overwrites a revocation;
 * - KeySuspended → suspended only from active; KeyResumed → active only from suspended.
 * A status event for a key with no row has nothing to change. The other per-key changes (rotation, expiry
 * warning) are in perKeyChangeOf.
 */
const STATUS_CHANGES: Record<string, { status: KeyStatus; from: readonly KeyStatus[] | null }> = {
  KeyRevoked: { status: 'revoked', from: null },
  KeyExpired: { status: 'expired', from: LIVE_STATUSES },
  KeyDeleted: { status: 'deleted', from: null },
  KeySuspended: { status: 'suspended', from: ['active'] },
  KeyResumed: { status: 'active', from: ['suspended'] },
};

export type StatusChange = (typeof STATUS_CHANGES)[string];

export const statusChangeOf = (eventType: string): StatusChange | null => STATUS_CHANGES[eventType] ?? null;

/** Whether the change applies to a row stored with `status`. */
export const statusChangeApplies = (change: StatusChange, status: KeyStatus): boolean => change.from === null || change.from.includes(status);

export const STATUS_EVENT_TYPES = Object.keys(STATUS_CHANGES);

/** The statuses a key never leaves (it no longer works, and never will again). */
const DEAD_STATUSES: ReadonlySet<KeyStatus> = new Set(['revoked', 'expired', 'deleted']);

/**
 * Whether the change kills the key it names. A key that dies while it replaces another (the new key of a rotation,
 * revoked or expired during the overlap) is then no longer named by that key if it still works at the death's `at`
 * (stored live, before its overlap's end and its expiry): its rotatedTo turns null, its overlapEndsAt stays (it still
 * stops then), as in the guard's hot table (no client is sent to a dead token). A key already past its overlap keeps
 * naming its replacement: it was replaced, whatever became of the replacement after. Only in the keys list.
 */
export const killsKey = (change: PerKeyChange): boolean => change.kind === 'status' && DEAD_STATUSES.has(change.change.status);

/**
 * Everything an event after the mint changes in a per-key row, on either store and in a rebuild's fold; every
 * change is guarded by the row's last position and moves it:
 * - status: STATUS_CHANGES (a revocation also records its reason, null when a person revoked it);
 * - rotation: KeyRotated sets rotatedTo and overlapEndsAt (no status change: readers compute the effective one);
 * - warning: KeyExpiring lowers expiryWarnedDaysBefore to its daysBefore (the smallest threshold written).
 */
export type PerKeyChange =
  | { kind: 'status'; change: StatusChange; revocationReason: RevocationReason | null }
  | { kind: 'rotation'; rotatedTo: string; overlapEndsAt: string }
  | { kind: 'warning'; daysBefore: number };

export const perKeyChangeOf = (event: KeyEvent): PerKeyChange | null => {
  if (event.type === 'KeyRotated') return { kind: 'rotation', rotatedTo: event.data.rotatedTo, overlapEndsAt: event.data.overlapEndsAt };
  if (event.type === 'KeyExpiring') return { kind: 'warning', daysBefore: event.data.daysBefore };
  const change = statusChangeOf(event.type);
  if (change === null) return null;
  const revocationReason = event.type === 'KeyRevoked' ? (event.data.reason ?? null) : null;
  return { kind: 'status', change, revocationReason };
};
