import type { FetchImplementation } from 'jose';
import { IdentityProviderUnavailableError, type JwksFailureReason } from './identity-provider-unavailable.error.js';

/** What /health reports about the identity provider's keys. */
export interface IdentityProviderHealth {
  /** unused: HS256 with a shared secret (no JWKS); not-fetched: no token has needed the keys yet. */
  jwks: 'unused' | 'not-fetched' | 'reachable' | 'unreachable';
  /** When the current state began (the first failure of an outage, the first success after one). */
  since: string | null;
  /** Why the last fetch failed, while unreachable. */
  error: string | null;
  /** Failed fetches since the last success. */
  failures: number;
  /** The last fetch that returned a JSON Web Key Set. */
  lastFetchedAt: string | null;
}

export interface LoggerLike {
  error(fields: object, message: string): void;
  info(fields: object, message: string): void;
}

export interface JwksMonitorOptions {
  logger?: LoggerLike;
  /** Called once per failed fetch (the /metrics counter). */
  onFailure?: (reason: JwksFailureReason) => void;
  /** While an outage lasts, one error line per this many ms (the first failure is logged at once). */
  logEveryMs?: number;
  now?: () => number;
  fetch?: typeof fetch;
}

/** One minute: an outage is visible in the log at once and stays visible, without a line per request. */
export const JWKS_LOG_EVERY_MS = 60_000;

/**
 * Watches every fetch of the identity provider's JWKS that jose makes: jose caches the keys and decides when to
 * refetch (createRemoteJWKSet); this is the fetch it calls (jose's customFetch option), so each real fetch is
 * seen once, however many requests were waiting on it. A failed fetch throws IdentityProviderUnavailableError,
 * which jose passes through to jwtVerify's caller unchanged: the verifier can then answer 503 instead of
 * "not correctly signed".
 */
export class JwksMonitor {
  private state: IdentityProviderHealth['jwks'] = 'not-fetched';
  private since: number | null = null;
  private error: string | null = null;
  private failures = 0;
  private lastFetchedAt: number | null = null;
  private lastAttemptAt: number | null = null;
  private lastLoggedAt = 0;
  private unlogged = 0;
  private readonly now: () => number;
  private readonly logEveryMs: number;

  constructor(
    readonly url: string,
    private readonly options: JwksMonitorOptions = {},
  ) {
    this.now = options.now ?? Date.now;
    this.logEveryMs = options.logEveryMs ?? JWKS_LOG_EVERY_MS;
  }

  /** For createRemoteJWKSet's [customFetch]: fetches, checks the answer is a JWKS, records the outcome. */
  readonly fetch: FetchImplementation = async (url, init) => {
    this.lastAttemptAt = this.now();
    let text: string;
    let status: number;
    try {
      const response = await (this.options.fetch ?? fetch)(url, init);
      status = response.status;
      text = await response.text();
    } catch (error) {
      const timedOut = (error as Error)?.name === 'TimeoutError' || (error as Error)?.name === 'AbortError';
      const cause = (error as { cause?: { message?: string } })?.cause?.message;
      throw this.failed(
        timedOut ? 'timeout' : 'network',
        timedOut ? 'no answer in time' : `cannot connect: ${cause ?? (error as Error)?.message ?? String(error)}`,
        error,
      );
    }
    if (status !== 200) {
      throw this.failed('http_status', `HTTP ${status}, expected 200 with a JSON Web Key Set${status >= 300 && status < 400 ? ' (redirects are not followed)' : ''}`);
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (error) {
      throw this.failed('invalid_json', 'the answer is not JSON', error);
    }
    const keys = (json as { keys?: unknown } | null)?.keys;
    if (!Array.isArray(keys) || !keys.every((k) => typeof k === 'object' && k !== null && !Array.isArray(k))) {
      throw this.failed('invalid_jwks', 'the answer is JSON but not a JSON Web Key Set (no "keys" list of objects)');
    }
    this.succeeded();
    // jose reads the body itself: hand it the text already read.
    return new Response(text, { status: 200, headers: { 'content-type': 'application/json' } });
  };

  status(): IdentityProviderHealth {
    const iso = (t: number | null) => (t === null ? null : new Date(t).toISOString());
    return { jwks: this.state, since: iso(this.since), error: this.error, failures: this.failures, lastFetchedAt: iso(this.lastFetchedAt) };
  }

  /** Milliseconds since the last fetch was attempted (Infinity before the first). */
  sinceLastAttempt(): number {
    return this.lastAttemptAt === null ? Infinity : this.now() - this.lastAttemptAt;
  }

  private failed(reason: JwksFailureReason, description: string, cause?: unknown): IdentityProviderUnavailableError {
    const now = this.now();
    this.failures += 1;
    this.error = description;
    this.options.onFailure?.(reason);
    const fields = { jwksUrl: this.url, reason, error: description, failures: this.failures };
    if (this.state !== 'unreachable') {
      this.state = 'unreachable';
      this.since = now;
      this.lastLoggedAt = now;
      this.unlogged = 0;
      this.options.logger?.error(
        fields,
        "the identity provider's JWKS cannot be fetched: settings-API sign-ins that need its keys answer 503 until it can",
      );
    } else if (now - this.lastLoggedAt >= this.logEveryMs) {
      this.options.logger?.error(
        { ...fields, since: new Date(this.since!).toISOString(), notLogged: this.unlogged },
        "the identity provider's JWKS still cannot be fetched",
      );
      this.lastLoggedAt = now;
      this.unlogged = 0;
    } else {
      // Within the same minute of an outage: counted in /metrics and /health, not logged again.
      this.unlogged += 1;
    }
    return new IdentityProviderUnavailableError(reason, `JWKS ${this.url}: ${description}`, cause === undefined ? undefined : { cause });
  }

  private succeeded(): void {
    const now = this.now();
    if (this.state === 'unreachable') {
      this.options.logger?.info(
        { jwksUrl: this.url, failures: this.failures, outageMs: now - this.since! },
        "the identity provider's JWKS can be fetched again",
      );
    }
    if (this.state !== 'reachable') this.since = now;
    this.state = 'reachable';
    this.error = null;
    this.failures = 0;
    this.lastFetchedAt = now;
  }
}
