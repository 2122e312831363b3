import { context, retiredEvent, visibleKey, utcMinute } from './decide-support.js';
import type { RetireRotatedKey, RotateKey } from './key-commands.js';
import { conflict, forbidden, invalid } from './key-errors.js';
import type { KeyLifecycleEvent } from './key-events.js';
import type { KeyPolicy } from './key-policy.js';
import { effectiveStatus, isLive, type KeyringState } from './keyring-state.js';

/**
 * Rotation: a new key with the old one's label and permission snapshot and a fresh expiry, while the old key keeps
 * working for an overlap (never past its own expiry), after which the system revokes it.
 *
 * The limits during the overlap: the key being replaced no longer counts, its replacement does, so a rotation is
 * allowed at the limits and leaves the count where it was. To keep that from multiplying working tokens, a key
 * whose own predecessor is still in its overlap cannot be rotated until that overlap ends (or the predecessor is
 * revoked): at most two tokens of one lineage work at any instant. A replacement revoked during the overlap gives
 * the old key its place in the count back (decide-support's countsAgainstLimits).
 *
 * Only the owner rotates (the issue asked for "whoever may revoke"; a manager would receive a token acting as
 * someone else). KeyMinted.owner stays in the schema and every reader (keyOwner) for a mint on someone's behalf.
 */
export const rotate = (c: RotateKey, state: KeyringState, policy: KeyPolicy): KeyLifecycleEvent[] => {
  // 1. The key: its owner's (the new token acts as the owner, with the owner's permission snapshot and role: handed
  //    to anyone else, it would let them act as the owner; managers may revoke or suspend it instead), working, and
  //    not already being replaced.
  const key = visibleKey(state, c.actor, c.keyId);
  if (key.creatorUserId !== c.actor.userId) {
    throw forbidden(
      `Only the owner of API key ${c.keyId} can rotate it: the new key would act as them. You can suspend or revoke it.`,
    );
  }
  const status = effectiveStatus(key, c.now);
  if (status === 'suspended') throw conflict(`The API key ${c.keyId} is suspended; resume it before rotating it.`);
  if (status !== 'active') throw conflict(`The API key ${c.keyId} is ${status}; only a working key can be rotated.`);
  if (key.rotation) throw conflict(`The API key ${c.keyId} is already being replaced by ${key.rotation.rotatedTo}.`);
  const predecessor = key.rotatedFrom ? state.keys.get(key.rotatedFrom) : undefined;
  if (predecessor?.rotation && isLive(effectiveStatus(predecessor, c.now))) {
    throw conflict(
      `The key this one replaced (${predecessor.keyId}) still works until ${utcMinute(predecessor.rotation.overlapEndsAt)}; ` +
        'rotate again after that, or revoke it first.',
    );
  }

  // 2. The overlap: 0 to the policy's maximum, and never past the old key's own expiry.
  if (!Number.isInteger(c.overlapMs) || c.overlapMs < 0 || c.overlapMs > policy.maxRotationOverlapMs) {
    throw invalid(`overlapSeconds must be a whole number from 0 to ${policy.maxRotationOverlapMs / 1000}.`);
  }
  const overlapEndsAt = new Date(Math.min(c.now.getTime() + c.overlapMs, key.expiresAt.getTime()));

  // 3. The new key id, made before deciding, must be new.
  const reserved = [...state.acknowledgements.values()].some((a) => a.keyId === c.newKeyId);
  if (state.keys.has(c.newKeyId) || reserved) throw conflict('This key id is already taken; try again.');

  return [
    {
      type: 'KeyMinted',
      data: {
        ...context(c.actor, c.actor.companyId, c.newKeyId, c),
        acknowledgementId: key.acknowledgementId,
        label: key.label,
        prefix: c.prefix,
        verifier: c.verifier,
        permissions: [...key.permissions],
        creatorRole: key.creatorRole,
        expiresAt: new Date(c.now.getTime() + policy.keyTtlMs).toISOString(),
        rotatedFrom: key.keyId,
      },
    },
    {
      type: 'KeyRotated',
      data: {
        ...context(c.actor, c.actor.companyId, key.keyId, c),
        rotatedTo: c.newKeyId,
        overlapEndsAt: overlapEndsAt.toISOString(),
      },
    },
  ];
};

/**
 * The sweeper's step at the end of an overlap. Readers treat the key as revoked from overlapEndsAt on whether or not
 * this has run; it writes the KeyRevoked the history needs. Anything else (not rotated, not yet due, already
 * revoked, or expired first) is a no-op, so replicas and restarts may run it twice.
 */
export const retireRotated = (c: RetireRotatedKey, state: KeyringState): KeyLifecycleEvent[] => {
  const key = state.keys.get(c.keyId);
  if (!key?.rotation || !isLive(key.status) || effectiveStatus(key, c.now) !== 'revoked') return [];
  return [retiredEvent(c, c.companyId, key)];
};
