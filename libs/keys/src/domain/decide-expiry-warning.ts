import { SYSTEM_ACTOR } from './actor.js';
import { context } from './decide-support.js';
import type { WarnExpiry } from './key-commands.js';
import type { KeyLifecycleEvent } from './key-events.js';
import { daysToMs, type KeyPolicy } from './key-policy.js';
import { effectiveStatus, isLive, type KeyringState, type KeyState } from './keyring-state.js';

/**
 * The threshold (days before expiry) a key is within at `now`: the smallest of the policy's thresholds not yet
 * reached in the other direction, e.g. 7 when 3 days are left of [14, 7, 1]; null when none is reached yet.
 */
export const dueWarning = (key: Pick<KeyState, 'expiresAt'>, now: Date, policy: Pick<KeyPolicy, 'expiryWarningDays'>): number | null => {
  const left = key.expiresAt.getTime() - now.getTime();
  const due = policy.expiryWarningDays.filter((d) => left <= daysToMs(d));
  return due.length ? Math.min(...due) : null;
};

/**
 * KeyExpiring, once per threshold. A sweeper that was down across a threshold writes only the most urgent one due
 * (a key 3 days from expiry gets the 7-day warning, not a late 14-day one as well). Keys being replaced by a
 * rotation are not warned about: their replacement is the one to keep. Idempotent: run twice, or by two replicas
 * (one loses the append race and decides again on the new state), it writes nothing the second time.
 */
export const warnExpiry = (c: WarnExpiry, state: KeyringState, policy: KeyPolicy): KeyLifecycleEvent[] => {
  const key = state.keys.get(c.keyId);
  if (!key || key.rotation || !isLive(effectiveStatus(key, c.now))) return [];
  // A key minted after the command's instant (a sweep reads the clock, then finds a key minted meanwhile) is left to
  // the next sweep: judged at an instant before its mint, it would seem further from expiry than it ever was, and
  // get a less urgent warning first, then the right one a moment later (two where one was due).
  if (key.mintedAt.getTime() > c.now.getTime()) return [];
  const due = dueWarning(key, c.now, policy);
  if (due === null || (key.warnedDaysBefore !== null && key.warnedDaysBefore <= due)) return [];
  return [
    {
      type: 'KeyExpiring',
      data: { ...context(SYSTEM_ACTOR, c.companyId, key.keyId, c), expiresAt: key.expiresAt.toISOString(), daysBefore: due },
    },
  ];
};
