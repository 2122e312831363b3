/**
 * The key lifecycle as events. They are the only source of truth: the keys list, the activity feed
 * and the guard's lookup table are all folded from them.
 *
 * Every event names who did it, when, in which company, to which key, and under which correlation id.
 * No event ever carries the token or its secret: KeyMinted carries only the argon2id verifier.
 */
export interface EventContext {
  /** The user who caused the event ("system" for the expiry sweeper). */
  actorUserId: string;
  actorName: string;
  companyId: string;
  /** The public key id (the "Key ID" of the list). */
  keyId: string;
  correlationId: string;
  /** ISO 8601. */
  at: string;
}

export interface KeyAcknowledged {
  type: 'KeyAcknowledged';
  data: EventContext & {
    acknowledgementId: string;
    /** Which text of the security notice was shown, so an auditor can tell what was agreed to. */
    noticeVersion: string;
    /**
     * ISO 8601: after this instant the acknowledgement can no longer be used to mint. Absent on events written
     * before 2026-12 (their acknowledgements lapsed long ago; readers take `at` + 15 minutes).
     */
    expiresAt?: string;
  };
}

export interface KeyMinted {
  type: 'KeyMinted';
  data: EventContext & {
    /** The acknowledgement that covers this key: for a rotation, the one the replaced key was minted under. */
    acknowledgementId: string;
    label: string;
    /** The token's public beginning, e.g. "kg_AbCdEf123456", safe to display. */
    prefix: string;
    /** argon2id PHC string of the secret: the only stored form of the token. */
    verifier: string;
    /** The creator's permissions at mint time: a snapshot, never re-read. */
    permissions: string[];
    /** The role the key acts with: its creator's, or 'user' for a narrower key (minted with chosen permissions). */
    creatorRole: 'root' | 'user';
    expiresAt: string;
    /** A rotation's new key: the id of the key it replaces (which gets KeyRotated in the same append). */
    rotatedFrom?: string;
    /**
     * Whose key it is, when not the actor's: a rotation by someone who manages every key mints the new key for
     * the old key's creator. Absent: the actor's own key. Read it through keyOwner().
     */
    owner?: { userId: string; name: string };
  };
}

/** The key is being replaced by `rotatedTo`: it keeps working until overlapEndsAt, then is revoked by the system. */
export interface KeyRotated {
  type: 'KeyRotated';
  data: EventContext & {
    rotatedTo: string;
    /** ISO 8601; never later than the key's own expiresAt (at that instant it expires instead). */
    overlapEndsAt: string;
  };
}

/** Why a key was revoked when no person asked for that key alone. Absent: a person revoked it. */
export type RevocationReason = 'rotated' | 'offboarded';

export interface KeyRevoked {
  type: 'KeyRevoked';
  data: EventContext & { reason?: RevocationReason };
}

/** A reversible stop: the guard refuses the key at once, it still counts against the limits, it still expires. */
export interface KeySuspended {
  type: 'KeySuspended';
  data: EventContext;
}

export interface KeyResumed {
  type: 'KeyResumed';
  data: EventContext;
}

/** Written by the sweeper once per threshold (policy.expiryWarningDays) before a live key expires. */
export interface KeyExpiring {
  type: 'KeyExpiring';
  data: EventContext & { expiresAt: string; daysBefore: number };
}

export interface KeyExpired {
  type: 'KeyExpired';
  data: EventContext & { expiresAt: string };
}

export interface KeyDeleted {
  type: 'KeyDeleted';
  data: EventContext;
}

/**
 * Reserved for the MCP endpoint. Uses are high-volume, so they go to usage streams of their own
 * and are never folded by the lifecycle decider.
 */
export interface KeyUsed {
  type: 'KeyUsed';
  data: EventContext & {
    tool: string | null;
    outcome: 'ok' | 'error' | 'denied';
    client: { name: string | null; version: string | null };
    remoteAddress: string | null;
    requestId: string;
  };
}

/** What the lifecycle decider folds and emits. */
export type KeyLifecycleEvent =
  | KeyAcknowledged
  | KeyMinted
  | KeyRotated
  | KeyRevoked
  | KeySuspended
  | KeyResumed
  | KeyExpiring
  | KeyExpired
  | KeyDeleted;

export type KeyEvent = KeyLifecycleEvent | KeyUsed;
export type KeyEventType = KeyEvent['type'];

export const KEY_LIFECYCLE_EVENT_TYPES: readonly KeyLifecycleEvent['type'][] = [
  'KeyAcknowledged',
  'KeyMinted',
  'KeyRotated',
  'KeyRevoked',
  'KeySuspended',
  'KeyResumed',
  'KeyExpiring',
  'KeyExpired',
  'KeyDeleted',
];

/** The key's owner: its creator, or whom a rotation minted it for. */
export const keyOwner = (data: KeyMinted['data']): { userId: string; name: string } =>
  data.owner ?? { userId: data.actorUserId, name: data.actorName };

export const KEY_EVENT_TYPES: readonly KeyEventType[] = [...KEY_LIFECYCLE_EVENT_TYPES, 'KeyUsed'];

/** All lifecycle events of one company live in one stream: the consistency boundary of the limits. */
export const keyringStreamId = (companyId: string): string => `keyring-${companyId}`;
