import { keyOwner, type KeyAcknowledged, type KeyLifecycleEvent } from './key-events.js';

/**
 * The decider's view of one company's keyring: just what the rules need, folded from its stream.
 *
 * Its size is bounded whatever the length of the history: acknowledgements leave it once they have lapsed (see
 * ACKNOWLEDGEMENT_GRACE_MS), and the open ones are limited per user by the decider.
 */
export interface AcknowledgementState {
  userId: string;
  keyId: string;
  at: Date;
  /** After this instant the acknowledgement cannot be used to mint. */
  expiresAt: Date;
  used: boolean;
}

export type StoredKeyStatus = 'active' | 'suspended' | 'revoked' | 'expired' | 'deleted';
export type KeyStatus = 'active' | 'suspended' | 'revoked' | 'expired';

/** A key's rotation: the key replacing it, and when it stops working (before its expiry, else it just expires). */
export interface RotationState {
  rotatedTo: string;
  overlapEndsAt: Date;
}

export interface KeyState {
  keyId: string;
  /** The key's owner (keyOwner of its mint): whose keys the limits and offboarding count it among. */
  creatorUserId: string;
  creatorRole: 'root' | 'user';
  label: string;
  status: StoredKeyStatus;
  /** When it was minted (its KeyMinted's `at`): a command decided at an earlier instant does not judge it. */
  mintedAt: Date;
  expiresAt: Date;
  /** The permission snapshot of its mint, which a rotation hands on. */
  permissions: readonly string[];
  acknowledgementId: string;
  rotatedFrom: string | null;
  rotation: RotationState | null;
  /** The smallest expiry-warning threshold (days) already written, or null. */
  warnedDaysBefore: number | null;
}

export interface KeyringState {
  /** In the order they were acknowledged (Map insertion order), which pruning relies on. */
  acknowledgements: ReadonlyMap<string, AcknowledgementState>;
  keys: ReadonlyMap<string, KeyState>;
}

/** What the fold writes to. Entries are replaced, never mutated, so a shallow copy of the maps is a full copy. */
interface KeyringDraft {
  acknowledgements: Map<string, AcknowledgementState>;
  keys: Map<string, KeyState>;
}

/**
 * How long an acknowledgement stays in the state after it expired. Long enough that a mint shortly after the
 * expiry is still told "older than 15 minutes; acknowledge again" rather than "unknown acknowledgementId", and a
 * reuse "already used"; short enough that the state of a company holds about an hour of acknowledgements.
 */
export const ACKNOWLEDGEMENT_GRACE_MS = 60 * 60 * 1000;

/** Events written before KeyAcknowledged carried expiresAt were valid for the then fixed 15 minutes. */
const LEGACY_ACKNOWLEDGEMENT_TTL_MS = 15 * 60 * 1000;

export const acknowledgementExpiry = (data: KeyAcknowledged['data']): Date =>
  data.expiresAt ? new Date(data.expiresAt) : new Date(Date.parse(data.at) + LEGACY_ACKNOWLEDGEMENT_TTL_MS);

export const initialKeyringState = (): KeyringState => ({ acknowledgements: new Map(), keys: new Map() });

const draftOf = (state: KeyringState): KeyringDraft => ({
  acknowledgements: new Map(state.acknowledgements),
  keys: new Map(state.keys),
});

/**
 * Drops acknowledgements that expired more than the grace period before `at`. Walks from the oldest and stops at
 * the first one to keep: acknowledgements arrive in time order with one TTL, so the rest are younger. This keeps a
 * fold linear (each acknowledgement is removed once); an out-of-order one only stays a little longer.
 */
const prune = (draft: KeyringDraft, at: number): void => {
  if (Number.isNaN(at)) return; // an unreadable time must not read as "later than everything"
  for (const [id, ack] of draft.acknowledgements) {
    if (ack.expiresAt.getTime() + ACKNOWLEDGEMENT_GRACE_MS >= at) return;
    draft.acknowledgements.delete(id);
  }
};

const updateKey = (draft: KeyringDraft, keyId: string, change: (k: KeyState) => KeyState): void => {
  const key = draft.keys.get(keyId);
  if (key) draft.keys.set(keyId, change(key));
};

/** Applies one event to a draft in place: the only place the rules of the fold live. */
const apply = (draft: KeyringDraft, event: KeyLifecycleEvent): void => {
  prune(draft, Date.parse(event.data.at));
  switch (event.type) {
    case 'KeyAcknowledged':
      draft.acknowledgements.set(event.data.acknowledgementId, {
        userId: event.data.actorUserId,
        keyId: event.data.keyId,
        at: new Date(event.data.at),
        expiresAt: acknowledgementExpiry(event.data),
        used: false,
      });
      return;
    case 'KeyMinted': {
      const ack = draft.acknowledgements.get(event.data.acknowledgementId);
      // set() on an existing id keeps its place in the insertion order, which prune relies on.
      if (ack) draft.acknowledgements.set(event.data.acknowledgementId, { ...ack, used: true });
      draft.keys.set(event.data.keyId, {
        keyId: event.data.keyId,
        creatorUserId: keyOwner(event.data).userId,
        creatorRole: event.data.creatorRole,
        label: event.data.label,
        status: 'active',
        mintedAt: new Date(event.data.at),
        expiresAt: new Date(event.data.expiresAt),
        permissions: event.data.permissions,
        acknowledgementId: event.data.acknowledgementId,
        rotatedFrom: event.data.rotatedFrom ?? null,
        rotation: null,
        warnedDaysBefore: null,
      });
      return;
    }
    case 'KeyRotated': {
      const rotation = { rotatedTo: event.data.rotatedTo, overlapEndsAt: new Date(event.data.overlapEndsAt) };
      return updateKey(draft, event.data.keyId, (k) => ({ ...k, rotation }));
    }
    case 'KeyRevoked':
      return updateKey(draft, event.data.keyId, (k) => ({ ...k, status: 'revoked' }));
    case 'KeySuspended':
      return updateKey(draft, event.data.keyId, (k) => (k.status === 'active' ? { ...k, status: 'suspended' } : k));
    case 'KeyResumed':
      return updateKey(draft, event.data.keyId, (k) => (k.status === 'suspended' ? { ...k, status: 'active' } : k));
    case 'KeyExpiring': {
      const days = event.data.daysBefore;
      return updateKey(draft, event.data.keyId, (k) => ({
        ...k,
        warnedDaysBefore: k.warnedDaysBefore === null ? days : Math.min(k.warnedDaysBefore, days),
      }));
    }
    case 'KeyExpired':
      return updateKey(draft, event.data.keyId, (k) => (isLive(k.status) ? { ...k, status: 'expired' } : k));
    case 'KeyDeleted':
      return updateKey(draft, event.data.keyId, (k) => ({ ...k, status: 'deleted' }));
    default: {
      // Exhaustive at compile time. At run time a type a newer release added is skipped rather than failing every
      // command of the company while releases are mixed.
      const unknownEvent: never = event;
      return unknownEvent;
    }
  }
};

/** Pure: a new state, the given one untouched. Costs a copy of the state, so fold long histories with foldKeyring. */
export const evolve = (state: KeyringState, event: KeyLifecycleEvent): KeyringState => {
  const draft = draftOf(state);
  apply(draft, event);
  return draft;
};

/**
 * The state after `events`, starting from `from` (which is never modified): one copy, then the events applied in
 * place, so loading a keyring is linear in its events. Equal to `events.reduce(evolve, from)`.
 */
export const foldKeyring = (events: Iterable<KeyLifecycleEvent>, from: KeyringState = initialKeyringState()): KeyringState => {
  const draft = draftOf(from);
  for (const event of events) apply(draft, event);
  return draft;
};

/** Stored statuses of a key that can still come back to work or works: what the limits count. */
export const isLive = (status: StoredKeyStatus): status is 'active' | 'suspended' =>
  status === 'active' || status === 'suspended';

/**
 * Status as every reader must see it, whether or not the sweeper has written the event yet:
 * - a live key past expiresAt is expired from that instant;
 * - a rotated key past the end of its overlap (which lies before its expiry) is revoked from that instant.
 */
export const effectiveStatus = (
  key: { status: StoredKeyStatus; expiresAt: Date; rotation?: { overlapEndsAt: Date } | null },
  now: Date,
): StoredKeyStatus => {
  if (!isLive(key.status)) return key.status;
  const t = now.getTime();
  const ends = key.rotation?.overlapEndsAt.getTime();
  if (ends !== undefined && ends < key.expiresAt.getTime() && t >= ends) return 'revoked';
  if (t >= key.expiresAt.getTime()) return 'expired';
  return key.status;
};
