// Histories and commands for the decider's given/when/then specs (test-only: tsconfig.build.json leaves it out).
import type { Actor } from './actor.js';
import type { AcknowledgeNotice, DeleteKey, ExpireKey, MintKey, RevokeKey } from './key-commands.js';
import type { EventContext, KeyAcknowledged, KeyLifecycleEvent, KeyMinted } from './key-events.js';
import { tokenPrefix } from '../token/api-token.js';

export const COMPANY = 'acme';
export const MINUTE = 60_000;
export const DAY = 24 * 60 * MINUTE;
export const T0 = new Date('2026-05-10T12:00:00.000Z');
export const after = (ms: number, from = T0) => new Date(from.getTime() + ms);

export const user = (userId: string, role: Actor['role'] = 'user', permissions: string[] = ['keys:use']): Actor => ({
  userId,
  name: `Name of ${userId}`,
  companyId: COMPANY,
  role,
  permissions,
});
export const alice = user('alice');
export const bob = user('bob');
export const carol = user('carol');
export const admin = user('admin', 'user', ['keys:use', 'settings:edit']);
export const root = user('root', 'root', []);

export const KEY = 'AbCdEf123456';
export const keyId = (n: number) => `K${String(n).padStart(11, '0')}`;
export const ackId = (key: string) => `ack-${key}`;
export const verifier = (key: string) => `$argon2id$v=19$m=19456,t=2,p=1$salt$hash-of-${key}`;

export const ctx = (actor: Pick<Actor, 'userId' | 'name'>, key: string, at: Date, correlationId: string): EventContext => ({
  actorUserId: actor.userId,
  actorName: actor.name,
  companyId: COMPANY,
  keyId: key,
  correlationId,
  at: at.toISOString(),
});

// History builders: an acknowledgement at `at` (valid 15 minutes), its mint one minute later.
export const acknowledged = (actor: Actor, key = KEY, at = T0): KeyAcknowledged => ({
  type: 'KeyAcknowledged',
  data: {
    ...ctx(actor, key, at, 'corr-ack'),
    acknowledgementId: ackId(key),
    noticeVersion: 'notice-v1',
    expiresAt: after(15 * MINUTE, at).toISOString(),
  },
});
/** As written before KeyAcknowledged carried expiresAt. */
export const legacyAcknowledged = (actor: Actor, key = KEY, at = T0): KeyAcknowledged => {
  const { expiresAt: _, ...data } = acknowledged(actor, key, at).data;
  return { type: 'KeyAcknowledged', data };
};
export const minted = (actor: Actor, key = KEY, at = after(MINUTE), label = 'Cursor'): KeyMinted => ({
  type: 'KeyMinted',
  data: {
    ...ctx(actor, key, at, 'corr-mint'),
    acknowledgementId: ackId(key),
    label,
    prefix: tokenPrefix(key),
    verifier: verifier(key),
    permissions: [...actor.permissions],
    creatorRole: actor.role,
    expiresAt: after(90 * DAY, at).toISOString(),
  },
});
/** An active key: acknowledged at `at`, minted one minute later, lapses 90 days after that. */
export const keyOf = (actor: Actor, key = KEY, at = T0): KeyLifecycleEvent[] => [
  acknowledged(actor, key, at),
  minted(actor, key, after(MINUTE, at)),
];
export const keysOf = (actor: Actor, keys: string[]) => keys.flatMap((k) => keyOf(actor, k));
export const revoked = (actor: Actor, key = KEY, at = after(2 * MINUTE)): KeyLifecycleEvent => ({
  type: 'KeyRevoked',
  data: ctx(actor, key, at, 'corr-revoke'),
});
/** When a key minted at T0 + 1 min lapses. */
export const LAPSE = after(90 * DAY + MINUTE);
export const SYSTEM = { userId: 'system', name: 'Keygate' };
export const expired = (key = KEY, { at = LAPSE, expiresAt = LAPSE, correlationId = 'corr-sweep' } = {}): KeyLifecycleEvent => ({
  type: 'KeyExpired',
  data: { ...ctx(SYSTEM, key, at, correlationId), expiresAt: expiresAt.toISOString() },
});
export const deleted = (actor: Actor, key = KEY, at = after(3 * MINUTE)): KeyLifecycleEvent => ({
  type: 'KeyDeleted',
  data: ctx(actor, key, at, 'corr-delete'),
});

// Commands, with the clock and correlation id fixed.
export const acknowledge = (actor: Actor, key = KEY, overrides: Partial<AcknowledgeNotice> = {}): AcknowledgeNotice => ({
  type: 'AcknowledgeNotice',
  actor,
  acknowledgementId: ackId(key),
  keyId: key,
  noticeVersion: 'notice-v1',
  now: T0,
  correlationId: 'corr-ack',
  ...overrides,
});
export const mint = (actor: Actor, key = KEY, overrides: Partial<MintKey> = {}): MintKey => ({
  type: 'MintKey',
  actor,
  acknowledgementId: ackId(key),
  label: 'Cursor',
  keyId: key,
  prefix: tokenPrefix(key),
  verifier: verifier(key),
  now: after(MINUTE),
  correlationId: 'corr-mint',
  ...overrides,
});
export const revoke = (actor: Actor, key = KEY, now = after(2 * MINUTE)): RevokeKey => ({
  type: 'RevokeKey',
  actor,
  keyId: key,
  now,
  correlationId: 'corr-revoke',
});
export const expire = (key = KEY, now = LAPSE): ExpireKey => ({
  type: 'ExpireKey',
  companyId: COMPANY,
  keyId: key,
  now,
  correlationId: 'corr-sweep',
});
export const remove = (actor: Actor, key = KEY, now = after(3 * MINUTE)): DeleteKey => ({
  type: 'DeleteKey',
  actor,
  keyId: key,
  now,
  correlationId: 'corr-delete',
});
