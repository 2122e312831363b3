import type { KeyAcknowledged, KeyLifecycleEvent } from './key-events.js';

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

export type StoredKeyStatus = 'active' | 'revoked' | 'expired' | 'deleted';
export type KeyStatus = 'active' | 'revoked' | 'expired';

export interface KeyState {
  keyId: string;
  creatorUserId: string;
  label: string;
  status: StoredKeyStatus;
  expiresAt: Date;
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
        creatorUserId: event.data.actorUserId,
        label: event.data.label,
        status: 'active',
        expiresAt: new Date(event.data.expiresAt),
      });
      return;
    }
    case 'KeyRevoked':
      return updateKey(draft, event.data.keyId, (k) => ({ ...k, status: 'revoked' }));
    case 'KeyExpired':
      return updateKey(draft, event.data.keyId, (k) => (k.status === 'active' ? { ...k, status: 'expired' } : k));
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

/**
 * Status as every reader must see it: a key past expiresAt is expired at that instant,
 * whether or not the sweeper has written KeyExpired yet.
 */
export const effectiveStatus = (key: { status: StoredKeyStatus; expiresAt: Date }, now: Date): StoredKeyStatus =>
  key.status === 'active' && now.getTime() >= key.expiresAt.getTime() ? 'expired' : key.status;
