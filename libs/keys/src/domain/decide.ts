import type { Actor } from './actor.js';
import { catchUpEvents, context, countsAgainstLimits, expiredEvent, visibleKey } from './decide-support.js';
import { resume, suspend } from './decide-suspension.js';
import { retireRotated, rotate } from './decide-rotation.js';
import { revokeUserKeys } from './decide-offboarding.js';
import { warnExpiry } from './decide-expiry-warning.js';
import type { AcknowledgeNotice, DeleteKey, ExpireKey, KeyCommand, MintKey, RevokeKey } from './key-commands.js';
import { conflict, forbidden, invalid, limitReached, tooMany } from './key-errors.js';
import type { KeyLifecycleEvent } from './key-events.js';
import { normalizeLabel } from './key-label.js';
import type { KeyPolicy } from './key-policy.js';
import { effectiveStatus, isLive, type KeyringState } from './keyring-state.js';

/**
 * The key lifecycle rules as one pure function: (command, state) → events, or a KeyDomainError.
 * Everything non-deterministic (clock, ids, verifier) arrives inside the command.
 */
export const decide = (command: KeyCommand, state: KeyringState, policy: KeyPolicy): KeyLifecycleEvent[] => {
  switch (command.type) {
    case 'AcknowledgeNotice':
      return acknowledge(command, state, policy);
    case 'MintKey':
      return mint(command, state, policy);
    case 'RotateKey':
      return rotate(command, state, policy);
    case 'RevokeKey':
      return revoke(command, state);
    case 'SuspendKey':
      return suspend(command, state);
    case 'ResumeKey':
      return resume(command, state);
    case 'RevokeUserKeys':
      return revokeUserKeys(command, state);
    case 'RetireRotatedKey':
      return retireRotated(command, state);
    case 'WarnExpiry':
      return warnExpiry(command, state, policy);
    case 'ExpireKey':
      return expire(command, state);
    case 'DeleteKey':
      return remove(command, state);
    default: {
      const unknownCommand: never = command;
      throw invalid(`Unknown command ${(unknownCommand as { type: string }).type}`);
    }
  }
};

const acknowledge = (c: AcknowledgeNotice, state: KeyringState, policy: KeyPolicy): KeyLifecycleEvent[] => {
  // A key id reserved by another acknowledgement counts as taken too: two reservations of one id
  // would let the second mint overwrite the first key, even bring a revoked one back as active.
  const reserved = [...state.acknowledgements.values()].some((a) => a.keyId === c.keyId);
  if (state.acknowledgements.has(c.acknowledgementId) || state.keys.has(c.keyId) || reserved) {
    throw conflict('This acknowledgement was already recorded.');
  }
  refuseBeyondOpenAcknowledgements(c, state, policy);
  return [
    {
      type: 'KeyAcknowledged',
      data: {
        ...context(c.actor, c.actor.companyId, c.keyId, c),
        acknowledgementId: c.acknowledgementId,
        noticeVersion: c.noticeVersion,
        expiresAt: new Date(c.now.getTime() + policy.acknowledgementTtlMs).toISOString(),
      },
    },
  ];
};

/**
 * Open (unexpired, unused) acknowledgements are bounded per user: each one is state every command of the company
 * folds. A refusal is temporary, so it says when the oldest one lapses (Retry-After) and how to go on without waiting.
 */
const refuseBeyondOpenAcknowledgements = (c: AcknowledgeNotice, state: KeyringState, policy: KeyPolicy): void => {
  const now = c.now.getTime();
  const open = [...state.acknowledgements.values()].filter(
    (a) => a.userId === c.actor.userId && !a.used && a.expiresAt.getTime() > now,
  );
  if (open.length < policy.maxOpenAcknowledgementsPerUser) return;
  const oldest = Math.min(...open.map((a) => a.expiresAt.getTime()));
  const minutes = Math.round(policy.acknowledgementTtlMs / 60000);
  throw tooMany(
    `You have ${open.length} unused acknowledgements from the last ${minutes} minutes; use one to create a key, ` +
      `or acknowledge again after ${utcMinuteNotBefore(oldest)} UTC.`,
    (oldest - now) / 1000,
  );
};

/** HH:MM of the first whole minute at or after `ms`, so a person who waits until then is not refused again. */
const utcMinuteNotBefore = (ms: number): string =>
  new Date(Math.ceil(ms / 60000) * 60000).toISOString().slice(11, 16);

const mint = (c: MintKey, state: KeyringState, policy: KeyPolicy): KeyLifecycleEvent[] => {
  // 1. The acknowledgement: this user's, fresh, unused, and for this key id.
  const ack = state.acknowledgements.get(c.acknowledgementId);
  if (!ack || ack.userId !== c.actor.userId) {
    throw invalid('Unknown acknowledgementId: acknowledge the security notice first (POST /api/keys/acknowledgements).');
  }
  if (ack.used) throw conflict('This acknowledgement was already used to create a key; acknowledge the notice again.');
  if (c.now.getTime() >= ack.expiresAt.getTime()) {
    const minutes = Math.round(policy.acknowledgementTtlMs / 60000);
    throw invalid(`The acknowledgement is older than ${minutes} minutes; acknowledge the security notice again.`);
  }
  if (ack.keyId !== c.keyId) throw invalid('The key id does not belong to this acknowledgement.');

  // 2. The label.
  const label = normalizeLabel(c.label, c.now, policy.labelMaxLength);

  // 3. The permissions: the creator's, or a subset of them (a narrower key).
  const permissions = narrowedPermissions(c.actor, c.permissions);

  // 4. The limits, counted on effective status: live keys (active or suspended) count, unless being replaced.
  const active = [...state.keys.values()].filter((k) => countsAgainstLimits(k, state, c.now));
  if (active.length >= policy.maxActiveKeysPerCompany) {
    throw limitReached(
      `Your company already has ${active.length} active API keys, the limit of ${policy.maxActiveKeysPerCompany} per company. Revoke a key before creating another.`,
    );
  }
  const mine = active.filter((k) => k.creatorUserId === c.actor.userId).length;
  if (mine >= policy.maxActiveKeysPerCreator) {
    throw limitReached(
      `You already have ${mine} active API keys, the limit of ${policy.maxActiveKeysPerCreator} per user. Revoke one of yours before creating another.`,
    );
  }

  return [
    {
      type: 'KeyMinted',
      data: {
        ...context(c.actor, c.actor.companyId, c.keyId, c),
        acknowledgementId: c.acknowledgementId,
        label,
        prefix: c.prefix,
        verifier: c.verifier,
        permissions,
        // A narrower key never acts as root: root's reach (every key of the company) is not a permission it could
        // leave out, so a root user's narrowed key acts as a plain user with the permissions chosen.
        creatorRole: c.permissions === undefined ? c.actor.role : 'user',
        expiresAt: new Date(c.now.getTime() + policy.keyTtlMs).toISOString(),
      },
    },
  ];
};

/** The permissions a mint asks for: each one the creator's own (else 400), without repeats, in the creator's order. */
const narrowedPermissions = (actor: Actor, asked: readonly string[] | undefined): string[] => {
  if (asked === undefined) return [...actor.permissions];
  const own = new Set(actor.permissions);
  const foreign = [...new Set(asked)].filter((p) => !own.has(p));
  if (foreign.length > 0) {
    throw invalid(`A key can only have permissions its creator has; you do not have: ${foreign.slice(0, 5).join(', ')}.`);
  }
  const wanted = new Set(asked);
  return actor.permissions.filter((p) => wanted.has(p));
};

const revoke = (c: RevokeKey, state: KeyringState): KeyLifecycleEvent[] => {
  const key = visibleKey(state, c.actor, c.keyId);
  const status = effectiveStatus(key, c.now);
  // A second revoke writes nothing: 409 tells the caller the key is already unusable.
  if (status === 'revoked' && isLive(key.status) && key.rotation) {
    throw conflict(`The API key ${c.keyId} was replaced by ${key.rotation.rotatedTo} and no longer works.`);
  }
  if (status === 'revoked') throw conflict(`The API key ${c.keyId} is already revoked.`);
  if (status === 'expired') throw conflict(`The API key ${c.keyId} has expired; there is nothing to revoke.`);
  return [{ type: 'KeyRevoked', data: context(c.actor, c.actor.companyId, c.keyId, c) }];
};

const expire = (c: ExpireKey, state: KeyringState): KeyLifecycleEvent[] => {
  const key = state.keys.get(c.keyId);
  // The sweeper may race with a revoke or run twice: anything but a lapsed active key is a no-op.
  if (!key || !isLive(key.status) || effectiveStatus(key, c.now) !== 'expired') return [];
  return [expiredEvent(c, c.companyId, key)];
};

const remove = (c: DeleteKey, state: KeyringState): KeyLifecycleEvent[] => {
  const key = visibleKey(state, c.actor, c.keyId);
  if (c.actor.role !== 'root') throw forbidden('Only root users can delete API keys.');
  const status = effectiveStatus(key, c.now);
  if (isLive(status)) throw conflict(`The API key ${c.keyId} is ${status}; revoke it before deleting it.`);
  const deleted: KeyLifecycleEvent = { type: 'KeyDeleted', data: context(c.actor, c.actor.companyId, c.keyId, c) };
  // A key that lapsed (or whose rotation overlap ended) before the sweeper noticed gets that event first.
  return [...catchUpEvents(c, c.actor.companyId, key), deleted];
};
