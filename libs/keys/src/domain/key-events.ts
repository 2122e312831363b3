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
    acknowledgementId: string;
    label: string;
    /** The token's public beginning, e.g. "kg_AbCdEf123456", safe to display. */
    prefix: string;
    /** argon2id PHC string of the secret: the only stored form of the token. */
    verifier: string;
    /** The creator's permissions at mint time: a snapshot, never re-read. */
    permissions: string[];
    creatorRole: 'root' | 'user';
    expiresAt: string;
  };
}

export interface KeyRevoked {
  type: 'KeyRevoked';
  data: EventContext;
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
export type KeyLifecycleEvent = KeyAcknowledged | KeyMinted | KeyRevoked | KeyExpired | KeyDeleted;

export type KeyEvent = KeyLifecycleEvent | KeyUsed;
export type KeyEventType = KeyEvent['type'];

export const KEY_LIFECYCLE_EVENT_TYPES: readonly KeyLifecycleEvent['type'][] = [
  'KeyAcknowledged',
  'KeyMinted',
  'KeyRevoked',
  'KeyExpired',
  'KeyDeleted',
];

export const KEY_EVENT_TYPES: readonly KeyEventType[] = [...KEY_LIFECYCLE_EVENT_TYPES, 'KeyUsed'];

/** All lifecycle events of one company live in one stream: the consistency boundary of the limits. */
export const keyringStreamId = (companyId: string): string => `keyring-${companyId}`;
