import type { KeyLifecycleEvent } from './key-events.js';

/**
 * The decider's view of one company's keyring: just what the rules need, folded from its stream.
 * Maps are copied on write so evolve stays pure; a keyring holds at most a few hundred entries.
 */
export interface AcknowledgementState {
  userId: string;
  keyId: string;
  at: Date;
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
  acknowledgements: ReadonlyMap<string, AcknowledgementState>;
  keys: ReadonlyMap<string, KeyState>;
}

export const initialKeyringState = (): KeyringState => ({ acknowledgements: new Map(), keys: new Map() });

const withKey = (state: KeyringState, keyId: string, change: (k: KeyState) => KeyState): KeyringState => {
  const key = state.keys.get(keyId);
  if (!key) return state;
  const keys = new Map(state.keys);
  keys.set(keyId, change(key));
  return { ...state, keys };
};

export const evolve = (state: KeyringState, event: KeyLifecycleEvent): KeyringState => {
  switch (event.type) {
    case 'KeyAcknowledged': {
      const acknowledgements = new Map(state.acknowledgements);
      acknowledgements.set(event.data.acknowledgementId, {
        userId: event.data.actorUserId,
        keyId: event.data.keyId,
        at: new Date(event.data.at),
        used: false,
      });
      return { ...state, acknowledgements };
    }
    case 'KeyMinted': {
      const acknowledgements = new Map(state.acknowledgements);
      const ack = acknowledgements.get(event.data.acknowledgementId);
      if (ack) acknowledgements.set(event.data.acknowledgementId, { ...ack, used: true });
      const keys = new Map(state.keys);
      keys.set(event.data.keyId, {
        keyId: event.data.keyId,
        creatorUserId: event.data.actorUserId,
        label: event.data.label,
        status: 'active',
        expiresAt: new Date(event.data.expiresAt),
      });
      return { acknowledgements, keys };
    }
    case 'KeyRevoked':
      return withKey(state, event.data.keyId, (k) => ({ ...k, status: 'revoked' }));
    case 'KeyExpired':
      return withKey(state, event.data.keyId, (k) => (k.status === 'active' ? { ...k, status: 'expired' } : k));
    case 'KeyDeleted':
      return withKey(state, event.data.keyId, (k) => ({ ...k, status: 'deleted' }));
    default: {
      const unknownEvent: never = event;
      return unknownEvent;
    }
  }
};

/**
 * Status as every reader must see it: a key past expiresAt is expired at that instant,
 * whether or not the sweeper has written KeyExpired yet.
 */
export const effectiveStatus = (key: { status: StoredKeyStatus; expiresAt: Date }, now: Date): StoredKeyStatus =>
  key.status === 'active' && now.getTime() >= key.expiresAt.getTime() ? 'expired' : key.status;
