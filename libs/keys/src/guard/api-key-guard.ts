import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { parseToken } from '../token/api-token.js';
import type { SecretHasher } from '../token/secret-hasher.js';
import type { HotKey, HotKeyTable } from './hot-key-table.js';
import { FixedWindowRateLimiter, type RateDecision } from './rate-limiter.js';

export type GuardVerdict =
  | { ok: true; key: HotKey; rate: RateDecision }
  | { ok: false; status: 401; description: string }
  | { ok: false; status: 429; description: string; retryAfterSeconds: number; rate: RateDecision | null };

export interface GuardOptions {
  requestsPerMinute: number;
  /** Failed secrets tolerated per key id and minute before that key id is refused outright. */
  failuresPerMinute: number;
}

// One description for unknown, deleted and wrong-secret keys: the answer never tells whether a key id exists.
const INVALID = 'The API key is invalid.';
const deny = (description: string): GuardVerdict => ({ ok: false, status: 401, description });
const MISSING = deny('Send the API key as "Authorization: Bearer <key>".');
const MALFORMED = deny('The bearer token is not a well-formed Keygate API key.');
const REVOKED = deny('The API key has been revoked.');
const EXPIRED = deny('The API key has expired.');

/**
 * The MCP endpoint's hot path. Checks in order of cost:
 *  1. shape and checksum: garbage never costs a lookup or argon2 work;
 *  2. the in-memory table; 3. status and expiresAt against the clock (revocation acts at once);
 *  4. argon2id verify once per token per process, then a cached verdict keyed by an HMAC of the token
 *     (a process-local key: the cache never holds the token, and a dump of it is useless elsewhere);
 *  5. the per-key rate limit.
 * Answers synchronously on the cached path; a Promise only when argon2 has to run.
 */
export class ApiKeyGuard {
  private readonly verdictKey = randomBytes(32);
  private readonly verified = new Map<string, Buffer>();
  private readonly inflight = new Map<string, Promise<boolean>>();
  /** argon2 runs under way per key id: each may end as a failure, so each counts against the failure budget. */
  private readonly running = new Map<string, number>();
  private readonly rate: FixedWindowRateLimiter;
  private readonly failures: FixedWindowRateLimiter;
  /**
   * Failures for key ids the table does not hold, counted apart: an unknown id answers exactly like a wrong
   * secret (401, then 429 once over budget), but once the id becomes known (a key minted on another
   * replica reaching this one) those earlier misses tested no secret of it and must not lock it out.
   */
  private readonly unknownFailures: FixedWindowRateLimiter;

  constructor(
    private readonly table: HotKeyTable,
    private readonly hasher: SecretHasher,
    options: GuardOptions,
  ) {
    this.rate = new FixedWindowRateLimiter(options.requestsPerMinute);
    this.failures = new FixedWindowRateLimiter(options.failuresPerMinute);
    this.unknownFailures = new FixedWindowRateLimiter(options.failuresPerMinute);
  }

  check(authorization: string | undefined, nowMs: number): GuardVerdict | Promise<GuardVerdict> {
    // 1. Shape.
    // The scheme is case-insensitive (RFC 9110); the usual spelling is tested first, without allocating.
    if (authorization === undefined || authorization.length < 8) return MISSING;
    if (!authorization.startsWith('Bearer ') && authorization.slice(0, 7).toLowerCase() !== 'bearer ') return MISSING;
    const token = authorization.slice(7).trim();
    const parsed = parseToken(token);
    if (parsed === null) return MALFORMED;

    // 2–3. Lookup, then status against the clock.
    const key = this.table.get(parsed.keyId);
    if (key === undefined || key.status === 'deleted') return this.failed(parsed.keyId, nowMs, this.unknownFailures);
    if (key.status === 'revoked') return REVOKED;
    if (key.status === 'expired' || nowMs >= key.expiresAtMs) return EXPIRED;

    // 4. Cached verdict, else argon2id once.
    const mac = createHmac('sha256', this.verdictKey).update(token).digest();
    const known = this.verified.get(key.keyId);
    if (known !== undefined && timingSafeEqual(known, mac)) return this.limit(key, nowMs);
    // A key id that keeps failing is refused before argon2 runs again: brute force and CPU burn both stop here.
    const budget = this.failures.remaining(key.keyId, nowMs);
    if (budget === 0) return this.throttled(key.keyId, nowMs);
    const verifying = this.verify(key, parsed.secret, mac, budget);
    if (verifying === null) return this.throttled(key.keyId, nowMs);
    return verifying.then((ok) => {
      if (!ok) return this.failed(key.keyId, nowMs);
      this.verified.set(key.keyId, mac);
      return this.limit(key, nowMs);
    });
  }

  /** null when starting another argon2 run could exceed the key id's failure budget. */
  private verify(key: HotKey, secret: string, mac: Buffer, budget: number): Promise<boolean> | null {
    // Twenty requests arriving together with a new token cost one argon2 run, not twenty.
    const id = `${key.keyId}:${mac.toString('base64')}`;
    let pending = this.inflight.get(id);
    if (!pending) {
      // Failures are only counted once argon2 is done: without this, a burst of concurrent wrong secrets
      // would start any number of runs before the first failure is recorded.
      const running = this.running.get(key.keyId) ?? 0;
      if (running >= budget) return null;
      this.running.set(key.keyId, running + 1);
      pending = this.hasher.verify(key.verifier, secret).finally(() => {
        this.inflight.delete(id);
        const left = this.running.get(key.keyId)! - 1;
        if (left === 0) this.running.delete(key.keyId);
        else this.running.set(key.keyId, left);
      });
      this.inflight.set(id, pending);
    }
    return pending;
  }

  private limit(key: HotKey, nowMs: number): GuardVerdict {
    const rate = this.rate.take(key.keyId, nowMs);
    if (rate.allowed) return { ok: true, key, rate };
    return {
      ok: false,
      status: 429,
      description: `Rate limit of ${rate.limit} requests per minute reached for this API key.`,
      retryAfterSeconds: rate.resetSeconds,
      rate,
    };
  }

  private failed(keyId: string, nowMs: number, failures = this.failures): GuardVerdict {
    const f = failures.take(keyId, nowMs);
    return f.allowed ? deny(INVALID) : this.throttled(keyId, nowMs, failures);
  }

  private throttled(keyId: string, nowMs: number, failures = this.failures): GuardVerdict {
    return {
      ok: false,
      status: 429,
      description: 'Too many failed attempts with this key id; wait before trying again.',
      retryAfterSeconds: failures.resetSeconds(keyId, nowMs),
      rate: null,
    };
  }

  /** Drops expired windows; called from a timer. */
  sweep(nowMs: number): void {
    this.rate.sweep(nowMs);
    this.failures.sweep(nowMs);
    this.unknownFailures.sweep(nowMs);
  }

}
