import { parseToken, type GuardVerdict, type HotKey, type RateDecision } from '#keys';
import type { VerifyCode, VerifyKeyView, VerifyRateLimitView } from './verify-key.view.js';

const NOTHING_KNOWN = {
  keyId: null,
  userId: null,
  userName: null,
  companyId: null,
  permissions: null,
  expiresAt: null,
  ratelimit: null,
  retryAfterSeconds: null,
  replacedBy: null,
  overlapEndsAt: null,
} as const;

const rateLimitOf = (rate: RateDecision, now: Date): VerifyRateLimitView => ({
  limit: rate.limit,
  remaining: rate.remaining,
  resetAt: new Date(now.getTime() + rate.resetSeconds * 1000).toISOString(),
});

/** The permissions a route requires that the key lacks (none: it may). */
export const missingPermissions = (key: HotKey, required: readonly string[]): string[] => required.filter((p) => !key.permissions.has(p));

/**
 * The answer for a key the guard admitted: VALID, or INSUFFICIENT_PERMISSIONS when the route needs more; a key in
 * its rotation's overlap names the key replacing it and when it stops working (replacedBy, overlapEndsAt).
 */
export const admitted = (verdict: Extract<GuardVerdict, { ok: true }>, missing: readonly string[], now: Date): VerifyKeyView => {
  const { key, replacement } = verdict;
  const code: VerifyCode = missing.length === 0 ? 'VALID' : 'INSUFFICIENT_PERMISSIONS';
  return {
    valid: code === 'VALID',
    code,
    detail: code === 'VALID' ? 'The API key is valid.' : `The API key lacks the permission(s) this route requires: ${missing.join(', ')}.`,
    keyId: key.keyId,
    userId: key.userId,
    userName: key.userName,
    companyId: key.companyId,
    permissions: [...key.permissions],
    expiresAt: new Date(key.expiresAtMs).toISOString(),
    ratelimit: rateLimitOf(verdict.rate, now),
    retryAfterSeconds: null,
    replacedBy: replacement?.keyId ?? null,
    overlapEndsAt: replacement ? new Date(replacement.overlapEndsAtMs).toISOString() : null,
  };
};

const CODE_OF_REASON = { revoked: 'REVOKED', expired: 'EXPIRED', suspended: 'SUSPENDED' } as const;

/**
 * The answer for a key the guard refused, in codes: its 401 reason says revoked (by a person, or by a rotation's
 * end: the detail tells which), expired or suspended; everything else it
 * refuses with 401 (missing, malformed, unknown id, deleted, wrong secret) is INVALID, with nothing about the key
 * (the guard's own rule: an answer never tells whether a key id exists). A 429 is RATE_LIMITED: the key's own
 * limit (then its window is known), or the failed-secret budget or argon2 cap (then only when to retry).
 */
export const refused = (verdict: Exclude<GuardVerdict, { ok: true }>, key: string, now: Date): VerifyKeyView => {
  if (verdict.status === 429) {
    return {
      ...NOTHING_KNOWN,
      valid: false,
      code: 'RATE_LIMITED',
      detail: verdict.description,
      ratelimit: verdict.rate ? rateLimitOf(verdict.rate, now) : null,
      retryAfterSeconds: verdict.retryAfterSeconds,
      // The key's own limit: a key being replaced says so here too.
      replacedBy: verdict.replacement?.keyId ?? null,
      overlapEndsAt: verdict.replacement ? new Date(verdict.replacement.overlapEndsAtMs).toISOString() : null,
    };
  }
  if (verdict.reason === 'revoked' || verdict.reason === 'expired' || verdict.reason === 'suspended') {
    // The id is the one the caller sent inside the key; these keys already say they exist (as on /api/mcp).
    return { ...NOTHING_KNOWN, valid: false, code: CODE_OF_REASON[verdict.reason], detail: verdict.description, keyId: parseToken(key)?.keyId ?? null };
  }
  return { ...NOTHING_KNOWN, valid: false, code: 'INVALID', detail: verdict.description };
};
