import { context } from './decide-support.js';
import type { RevokeUserKeys } from './key-commands.js';
import { forbidden } from './key-errors.js';
import type { KeyLifecycleEvent } from './key-events.js';
import { effectiveStatus, isLive, type KeyringState } from './keyring-state.js';

/**
 * Offboarding: a root user revokes every key one user owns that still works or could again (active, suspended, or
 * in a rotation overlap), one KeyRevoked each under the command's correlation id. None left: nothing is written
 * (not an error, so the step can be repeated safely). Deactivating a user in the host product does not do this by
 * itself: it is the explicit step.
 */
export const revokeUserKeys = (c: RevokeUserKeys, state: KeyringState): KeyLifecycleEvent[] => {
  if (c.actor.role !== 'root') throw forbidden("Only root users can revoke all of a user's API keys.");
  return [...state.keys.values()]
    .filter((k) => k.creatorUserId === c.userId && isLive(effectiveStatus(k, c.now)))
    .map((k) => ({ type: 'KeyRevoked', data: { ...context(c.actor, c.actor.companyId, k.keyId, c), reason: 'offboarded' } }));
};
