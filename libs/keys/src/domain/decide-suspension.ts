import { context, visibleKey } from './decide-support.js';
import type { ResumeKey, SuspendKey } from './key-commands.js';
import { conflict } from './key-errors.js';
import type { KeyLifecycleEvent } from './key-events.js';
import { effectiveStatus, type KeyringState } from './keyring-state.js';

/**
 * Suspension: a reversible stop, allowed to whoever may revoke the key. A suspended key is refused by the guard at
 * once, still counts against the limits (resuming must never exceed them), and still expires.
 */
export const suspend = (c: SuspendKey, state: KeyringState): KeyLifecycleEvent[] => {
  const key = visibleKey(state, c.actor, c.keyId);
  const status = effectiveStatus(key, c.now);
  if (status === 'suspended') throw conflict(`The API key ${c.keyId} is already suspended.`);
  if (status !== 'active') throw conflict(`The API key ${c.keyId} is ${status}; only a working key can be suspended.`);
  return [{ type: 'KeySuspended', data: context(c.actor, c.actor.companyId, c.keyId, c) }];
};

export const resume = (c: ResumeKey, state: KeyringState): KeyLifecycleEvent[] => {
  const key = visibleKey(state, c.actor, c.keyId);
  const status = effectiveStatus(key, c.now);
  if (status === 'active') throw conflict(`The API key ${c.keyId} is not suspended.`);
  if (status !== 'suspended') throw conflict(`The API key ${c.keyId} is ${status}; it cannot be resumed.`);
  return [{ type: 'KeyResumed', data: context(c.actor, c.actor.companyId, c.keyId, c) }];
};
