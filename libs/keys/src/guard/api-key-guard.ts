import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { parseToken } from '../token/api-token.js';
import type { SecretHasher } from '../token/secret-hasher.js';
import type { HotKey, HotKeyTable, MissAnswer } from './hot-key-table.js';
import { FixedWindowRateLimiter, type RateDecision } from './rate-limiter.js';

/**
 * Why a key was refused (401), for callers that answer in codes rather than sentences (POST /api/verify): unknown,
 * deleted and wrong-secret keys share 'invalid', as they share a description, so no reason tells whether a key id exists.
 */
export type DenialReason = 'missing' | 'malformed' | 'invalid' | 'revoked' | 'expired' | 'suspended';

/**
 * A key in its rotation's overlap: it works until `overlapEndsAtMs` (exclusive), and `keyId` replaces it (null when
 * the replacement was revoked or deleted meanwhile: the key still stops then). The MCP endpoint tells the client
 * (Keygate-Key-Replaced-By when there is one, Sunset); verify answers it (replacedBy, overlapEndsAt).
 */
export interface KeyReplacement {
  keyId: string | null;
  overlapEndsAtMs: number;
}

export type GuardVerdict =
  // replacement: null unless the key is being replaced (rotated, still in its overlap).
  | { ok: true; key: HotKey; rate: RateDecision; replacement: KeyReplacement | null }
  // reason: always set by the guard; optional so a caller's own 401 refusal (the MCP endpoint's preflight) need not name one.
  | { ok: false; status: 401; description: string; reason?: DenialReason }
  // replacement: on the key's own rate limit, as on an admitted request; absent otherwise.
  | { ok: false; status: 429; description: string; retryAfterSeconds: number; rate: RateDecision | null; replacement?: KeyReplacement | null };

export interface GuardOptions {
  requestsPerMinute: number;
  /**
   * Failed secrets tolerated per source (client address) and minute before that source is refused outright;
   * per key id for a caller that passes no source (see ApiKeyGuard.check).
   */
  failuresPerMinute: number;
  /**
   * argon2id verifications running at once in this process, whatever they are for; one more is refused at
   * once (429, Retry-After: 1), never queued. Each run holds ~19 MiB for ~15 ms of a core. Default: twice
   * the cores (os.availableParallelism()), at least 2.
   */
  maxConcurrentVerifications?: number;
  /**
   * Of those, how many one source may hold (default: half, at least 1): one client's burst of wrong secrets
   * never takes every slot, so another client's first use still finds one.
   */
  maxConcurrentPerSource?: number;
}

/** Who is asking: the client address (`request.ip`, which honours KEYGATE_TRUSTED_PROXY_HOPS). */
export interface GuardContext {
  source?: string;
}

// One description for unknown, deleted and wrong-secret keys: the answer never tells whether a key id exists.
const INVALID = 'The API key is invalid.';
const deny = (description: string, reason: DenialReason): GuardVerdict => ({ ok: false, status: 401, description, reason });
const MISSING = deny('Send the API key as "Authorization: Bearer <key>".', 'missing');
const MALFORMED = deny('The bearer token is not a well-formed Keygate API key.', 'malformed');
const REVOKED = deny('The API key has been revoked.', 'revoked');
const EXPIRED = deny('The API key has expired.', 'expired');
// A rotation's end is a revocation by the system: the same reason, in words that say what to use instead.
const ROTATED_OUT = deny('The API key has been revoked: it was replaced by a newer key when it was rotated.', 'revoked');
const SUSPENDED = deny('The API key is suspended; whoever manages it can resume it in the API key settings.', 'suspended');
const KEY_ID_THROTTLED = 'Too many failed attempts with this key id; wait before trying again.';
const SOURCE_THROTTLED = 'Too many failed attempts with API keys from this address; wait before trying again.';
const BUSY: GuardVerdict = {
  ok: false,
  status: 429,
  description: 'Too many API keys are being verified right now; try again in a second.',
  retryAfterSeconds: 1,
  rate: null,
};

/**
 * A key the table holds, at the clock, as effectiveStatus judges it; null when it may be used. Dead statuses
 * first; a live key (active or suspended) is revoked from the end of its rotation's overlap when that lies before
 * its expiry, else expired from its expiry; a suspended key is refused either way.
 */
const refusalAt = (key: HotKey, nowMs: number): GuardVerdict | null => {
  const status = key.status;
  if (status === 'revoked') return REVOKED;
  if (status === 'expired') return EXPIRED;
  if (status === 'deleted') return deny(INVALID, 'invalid');
  const ends = key.overlapEndsAtMs;
  if (ends !== null && ends < key.expiresAtMs && nowMs >= ends) return ROTATED_OUT;
  if (nowMs >= key.expiresAtMs) return EXPIRED;
  return status === 'suspended' ? SUSPENDED : null;
};

/**
 * The failure bucket of a source: an IPv4 address as it is, an IPv6 address by its /64 (one host is commonly
 * given a whole /64, so single addresses would let it rotate through 2^64 budgets). Exported for tests.
 */
export const sourceBucket = (source: string): string => {
  const address = source.trim().toLowerCase().replace(/%.*$/, '');
  if (!address.includes(':')) return `ip:${address}`;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(address);
  if (mapped) return `ip:${mapped[1]}`;
  const [head, tail = ''] = address.split('::');
  const left = head ? head.split(':') : [];
  const right = address.includes('::') && tail ? tail.split(':') : [];
  const groups = address.includes('::') ? [...left, ...Array(Math.max(0, 8 - left.length - right.length)).fill('0'), ...right] : left;
  return `ip6:${groups.slice(0, 4).map((g) => g.replace(/^0+(?=.)/, '')).join(':')}::/64`;
};

/**
 * The MCP endpoint's hot path. Checks in order of cost:
 *  1. shape and checksum: garbage never costs a lookup or argon2 work;
 *  2. the source's failure budget (before the lookup, so a 429 tells nothing of the key id either);
 *  3. the in-memory table; 4. status, expiresAt and the end of a rotation's overlap against the clock
 *     (revocation, suspension and a rotation's end act at once, before any sweeper writes an event);
 *  5. argon2id verify once per token per process, then a cached verdict keyed by an HMAC of the token
 *     (a process-local key: the cache never holds the token, and a dump of it is useless elsewhere);
 *  6. the per-key rate limit.
 * Answers synchronously on the cached path; a Promise only when argon2 has to run.
 *
 * Lockout (issue 10): failures count against the **source** that sent them, not the key id they named, so
 * nobody can lock a key's holder out by sending wrong secrets for its id (the id is not a secret: it is in
 * the token's prefix, the keys list and the logs). A 142-bit secret cannot be guessed, so the budget is
 * about argon2 work, not guessing; that work is bounded twice: per source and minute (failuresPerMinute),
 * and per process at any instant (maxConcurrentVerifications, one source at most maxConcurrentPerSource).
 * Trade-off, chosen: clients behind one NAT address share one budget.
 *
 * Timing (issue 10): an unknown or deleted key id is verified against a dummy verifier made by the same
 * hasher, under the same budget and cap, so its 401 costs what a wrong secret's does and timing does not
 * tell which key ids exist. Revoked, expired and suspended keys answer at once: their descriptions already say so
 * (README: "the description tells revoked from expired, never unknown id from wrong secret").
 */
export class ApiKeyGuard {
  private readonly verdictKey = randomBytes(32);
  private readonly verified = new Map<string, Buffer>();
  private readonly inflight = new Map<string, Promise<boolean>>();
  /** argon2 runs under way per failure bucket: each may end as a failure, so each counts against the budget. */
  private readonly running = new Map<string, number>();
  /** argon2 runs under way in this process. */
  private runningTotal = 0;
  private readonly maxConcurrent: number;
  private readonly maxPerSource: number;
  private readonly rate: FixedWindowRateLimiter;
  /** Failures per bucket: `ip:…`/`ip6:…` for a source, `key:<id>` for a caller that passes none. */
  private readonly failures: FixedWindowRateLimiter;
  /**
   * Without a source, failures for key ids the table does not hold are counted apart: an unknown id answers
   * exactly like a wrong secret (401, then 429 once over budget), but once the id becomes known (a key minted
   * on another replica reaching this one) those earlier misses tested no secret of it and must not lock it out.
   */
  private readonly unknownFailures: FixedWindowRateLimiter;
  /** What unknown and deleted key ids are verified against: same hasher, same parameters, no secret matches. */
  private dummyVerifier: Promise<string> | null = null;

  constructor(
    private readonly table: HotKeyTable,
    private readonly hasher: SecretHasher,
    options: GuardOptions,
  ) {
    this.rate = new FixedWindowRateLimiter(options.requestsPerMinute);
    this.failures = new FixedWindowRateLimiter(options.failuresPerMinute);
    this.unknownFailures = new FixedWindowRateLimiter(options.failuresPerMinute);
    this.maxConcurrent = Math.max(1, options.maxConcurrentVerifications ?? Math.max(2, 2 * availableParallelism()));
    this.maxPerSource = Math.max(1, options.maxConcurrentPerSource ?? Math.floor(this.maxConcurrent / 2));
  }

  /**
   * `context.source`: the client address. Without it (the old two-argument call) failures count per key id,
   * as before issue 10: a flood of wrong secrets for a key id then refuses its holder's first use too.
   */
  check(authorization: string | undefined, nowMs: number, context: GuardContext = {}): GuardVerdict | Promise<GuardVerdict> {
    // 1. Shape.
    // The scheme is case-insensitive (RFC 9110); the usual spelling is tested first, without allocating.
    if (authorization === undefined || authorization.length < 8) return MISSING;
    if (!authorization.startsWith('Bearer ') && authorization.slice(0, 7).toLowerCase() !== 'bearer ') return MISSING;
    const token = authorization.slice(7).trim();
    const parsed = parseToken(token);
    if (parsed === null) return MALFORMED;

    // 2. The source's budget, before anything about the key id is looked at.
    const source = context.source !== undefined && context.source !== '' ? sourceBucket(context.source) : undefined;
    if (source !== undefined && this.failures.remaining(source, nowMs) === 0) return this.throttled(source, nowMs);

    // 3–4. Lookup, then status against the clock. A key id the table does not hold (neither live nor seen
    // dying) is asked of the lookup read model: a dead key of the past answers as it always did.
    const mac = createHmac('sha256', this.verdictKey).update(token).digest();
    const key = this.table.get(parsed.keyId);
    if (key !== undefined) return this.decide(key, parsed.keyId, parsed.secret, mac, nowMs, source);
    const answer = this.table.miss(parsed.keyId, nowMs);
    if (typeof answer === 'string') return this.decide(answer, parsed.keyId, parsed.secret, mac, nowMs, source);
    // The table may have learned the key while the lookup ran: it comes first.
    return answer.then((a) => this.decide(this.table.get(parsed.keyId) ?? a, parsed.keyId, parsed.secret, mac, nowMs, source));
  }

  private decide(
    key: HotKey | MissAnswer,
    keyId: string,
    secret: string,
    mac: Buffer,
    nowMs: number,
    /** The source's failure bucket; failures count per key id without one. */
    source: string | undefined,
  ): GuardVerdict | Promise<GuardVerdict> {
    const bucket = source ?? `key:${keyId}`;
    // A miss answers with the key's status at the clock already (answerOf).
    if (key === 'revoked') return REVOKED;
    if (key === 'expired') return EXPIRED;
    if (key === 'suspended') return SUSPENDED;
    if (typeof key === 'string' || key.status === 'deleted') {
      const failures = source !== undefined ? this.failures : this.unknownFailures;
      return this.verifyThen(bucket, failures, keyId, null, secret, mac, nowMs, () => deny(INVALID, 'invalid'));
    }
    const refusal = refusalAt(key, nowMs);
    if (refusal !== null) return refusal;

    // 5. Cached verdict, else argon2id once.
    const known = this.verified.get(key.keyId);
    if (known !== undefined && timingSafeEqual(known, mac)) return this.limit(key, nowMs);
    return this.verifyThen(bucket, this.failures, key.keyId, key.verifier, secret, mac, nowMs, () => {
      this.verified.set(key.keyId, mac);
      // The key may have been revoked or suspended while argon2 ran: the table changes it in place.
      return refusalAt(key, nowMs) ?? this.limit(key, nowMs);
    });
  }

  /** argon2 under the bucket's budget and the process's cap; a failure is counted against the bucket. */
  private verifyThen(
    bucket: string,
    failures: FixedWindowRateLimiter,
    keyId: string,
    verifier: string | null,
    secret: string,
    mac: Buffer,
    nowMs: number,
    onSuccess: () => GuardVerdict,
  ): GuardVerdict | Promise<GuardVerdict> {
    // A bucket that keeps failing is refused before argon2 runs again: CPU burn stops here.
    const budget = failures.remaining(bucket, nowMs);
    if (budget === 0) return this.throttled(bucket, nowMs, failures);
    const verifying = this.verify(bucket, keyId, verifier, secret, mac, budget);
    if (verifying === 'throttled') return this.throttled(bucket, nowMs, failures);
    if (verifying === 'busy') return BUSY;
    return verifying.then((ok) => (ok && verifier !== null ? onSuccess() : this.failed(bucket, nowMs, failures)));
  }

  /** 'throttled' when another run could exceed the bucket's failure budget; 'busy' when no slot is free. */
  private verify(
    bucket: string,
    keyId: string,
    verifier: string | null,
    secret: string,
    mac: Buffer,
    budget: number,
  ): Promise<boolean> | 'throttled' | 'busy' {
    // Twenty requests arriving together with a new token cost one argon2 run, not twenty.
    const id = `${keyId}:${mac.toString('base64')}`;
    const pending = this.inflight.get(id);
    if (pending) return pending;
    // Failures are only counted once argon2 is done: without this, a burst of concurrent wrong secrets
    // would start any number of runs before the first failure is recorded.
    const running = this.running.get(bucket) ?? 0;
    if (running >= budget) return 'throttled';
    if (this.runningTotal >= this.maxConcurrent) return 'busy';
    if (!bucket.startsWith('key:') && running >= this.maxPerSource) return 'busy';
    this.running.set(bucket, running + 1);
    this.runningTotal += 1;
    const run = verifier !== null ? this.hasher.verify(verifier, secret) : this.verifyUnknown(secret);
    const settled = run.finally(() => {
      this.inflight.delete(id);
      this.runningTotal -= 1;
      const left = this.running.get(bucket)! - 1;
      if (left === 0) this.running.delete(bucket);
      else this.running.set(bucket, left);
    });
    this.inflight.set(id, settled);
    return settled;
  }

  /** The same argon2 work a wrong secret costs, against a verifier no secret matches; always false. */
  private async verifyUnknown(secret: string): Promise<boolean> {
    // Made on first use (one hash, once per process), by the hasher that made the real verifiers: same cost.
    this.dummyVerifier ??= this.hasher.hash(randomBytes(18).toString('base64url'));
    const verifier = await this.dummyVerifier.catch(() => '');
    await this.hasher.verify(verifier, secret);
    return false;
  }

  private limit(key: HotKey, nowMs: number): GuardVerdict {
    const rate = this.rate.take(key.keyId, nowMs);
    // Only a rotated key has a replacement: nothing is allocated for the others.
    const replacement = key.overlapEndsAtMs === null ? null : { keyId: key.rotatedTo, overlapEndsAtMs: key.overlapEndsAtMs };
    if (rate.allowed) return { ok: true, key, rate, replacement };
    return {
      ok: false,
      status: 429,
      description: `Rate limit of ${rate.limit} requests per minute reached for this API key.`,
      retryAfterSeconds: rate.resetSeconds,
      rate,
      replacement,
    };
  }

  private failed(bucket: string, nowMs: number, failures = this.failures): GuardVerdict {
    const f = failures.take(bucket, nowMs);
    return f.allowed ? deny(INVALID, 'invalid') : this.throttled(bucket, nowMs, failures);
  }

  private throttled(bucket: string, nowMs: number, failures = this.failures): GuardVerdict {
    return {
      ok: false,
      status: 429,
      description: bucket.startsWith('key:') ? KEY_ID_THROTTLED : SOURCE_THROTTLED,
      retryAfterSeconds: failures.resetSeconds(bucket, nowMs),
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
