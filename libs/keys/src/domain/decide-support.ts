import { managesAllKeys, SYSTEM_ACTOR, type Actor } from './actor.js';
import type { KeyCommand } from './key-commands.js';
import { notFound } from './key-errors.js';
import type { EventContext, KeyLifecycleEvent } from './key-events.js';
import { effectiveStatus, isLive, type KeyringState, type KeyState } from './keyring-state.js';

/** What every rule file of the decider shares: the event context, visibility, the limits' count, system events. */

export const context = (actor: Pick<Actor, 'userId' | 'name'>, companyId: string, keyId: string, c: KeyCommand): EventContext => ({
  actorUserId: actor.userId,
  actorName: actor.name,
  companyId,
  keyId,
  correlationId: c.correlationId,
  at: c.now.toISOString(),
});

/** A key this actor may see: the company's own and, unless they manage all keys, one they created. */
export const visibleKey = (state: KeyringState, actor: Actor, keyId: string): KeyState => {
  const key = state.keys.get(keyId);
  // Another user's key is as invisible as a missing one, so nothing leaks its existence.
  if (!key || key.status === 'deleted' || (!managesAllKeys(actor) && key.creatorUserId !== actor.userId)) {
    throw notFound(`No API key with id ${keyId}.`);
  }
  return key;
};

/**
 * Whether a key counts against the limits at `now`: live (active or suspended: a suspension is reversible, so it
 * must not free a slot), unless it is being replaced by a rotation whose new key is live (that one counts instead;
 * see decide-rotation). Once the replacement is revoked, the old key counts again for the rest of its overlap, so
 * "rotate, then revoke the new key" cannot collect working keys beyond the limits.
 */
export const countsAgainstLimits = (key: KeyState, state: KeyringState, now: Date): boolean => {
  if (!isLive(effectiveStatus(key, now))) return false;
  const replacement = key.rotation ? state.keys.get(key.rotation.rotatedTo) : undefined;
  return !(replacement && isLive(effectiveStatus(replacement, now)));
};

export const expiredEvent = (c: KeyCommand, companyId: string, key: KeyState): KeyLifecycleEvent => ({
  type: 'KeyExpired',
  data: { ...context(SYSTEM_ACTOR, companyId, key.keyId, c), expiresAt: key.expiresAt.toISOString() },
});

/** The system's revocation of a rotated key whose overlap has ended. */
export const retiredEvent = (c: KeyCommand, companyId: string, key: KeyState): KeyLifecycleEvent => ({
  type: 'KeyRevoked',
  data: { ...context(SYSTEM_ACTOR, companyId, key.keyId, c), reason: 'rotated' },
});

/**
 * The events that make a stored status catch up with the effective one (a key that lapsed, or whose rotation
 * overlap ended, before the sweeper noticed), so the history reads in order before what follows.
 */
export const catchUpEvents = (c: KeyCommand, companyId: string, key: KeyState): KeyLifecycleEvent[] => {
  if (!isLive(key.status)) return [];
  const status = effectiveStatus(key, c.now);
  if (status === 'expired') return [expiredEvent(c, companyId, key)];
  if (status === 'revoked') return [retiredEvent(c, companyId, key)];
  return [];
};

/** "until 2026-05-10 12:00 UTC": how a refusal names an instant. */
export const utcMinute = (at: Date): string => `${at.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
