import { createRemoteJWKSet, customFetch, jwtVerify, type JWTPayload, type JWTVerifyOptions, type RemoteJWKSet } from 'jose';
import type { Actor } from '#keys';
import { claimsToActor, DEFAULT_IDENTITY, type IdentitySettings } from './identity-claims.js';
import { IdentityProviderUnavailableError, type JwksFailureReason } from './identity-provider-unavailable.error.js';
import { InvalidCredentialsError } from './invalid-credentials.error.js';
import { JwksMonitor, type IdentityProviderHealth, type LoggerLike } from './jwks-monitor.js';

export { InvalidCredentialsError } from './invalid-credentials.error.js';
export { IdentityProviderUnavailableError } from './identity-provider-unavailable.error.js';

/**
 * How jose caches the identity provider's keys (createRemoteJWKSet's options; these are its defaults, stated):
 * keys are refetched when older than cacheMaxAge, or when a token names a key id the cached set lacks and the
 * last successful fetch is older than cooldownDuration (so tokens with made-up key ids cannot make Keygate
 * hammer the provider); a fetch gives up after timeoutDuration.
 */
export const JWKS_CACHE: Readonly<JwksCacheSettings> = { cacheMaxAge: 10 * 60_000, cooldownDuration: 30_000, timeoutDuration: 5_000 };

/** createRemoteJWKSet's cache options, in milliseconds. */
export interface JwksCacheSettings {
  cacheMaxAge: number;
  cooldownDuration: number;
  timeoutDuration: number;
}

export interface JwtVerifierOptions {
  /** Issuer, audience, claim names and role values (config.identity); Keygate's own names when not given. */
  identity?: IdentitySettings;
  /** Where a JWKS that cannot be fetched is reported (error level, rate-limited). */
  logger?: LoggerLike;
  /** Counts each failed JWKS fetch (keygate_jwks_fetch_failures_total). */
  onJwksFetchFailure?: (reason: JwksFailureReason) => void;
  /** jose's cache settings; JWKS_CACHE unless a test shortens them. */
  jwksCache?: Partial<JwksCacheSettings>;
  /** While the JWKS is unreachable, /health retries it at most this often (JWKS_HEALTH_RETRY_MS). */
  healthRetryMs?: number;
}

/** As jose's cooldown: an unreachable provider is asked again at most twice a minute on /health's account. */
export const JWKS_HEALTH_RETRY_MS = 30_000;

/**
 * Verifies the host product's identity tokens: HS256 with a shared secret, or RS256/ES256 against the
 * identity provider's JWKS. The algorithm list is fixed per mode, so a token cannot pick its own
 * (no "none", no HS256 signed with a public key). Issuer and audience, when configured, are checked on
 * every token; the claims are read under the configured names (identity-claims.ts).
 */
export class JwtVerifier {
  private readonly key: Uint8Array | RemoteJWKSet;
  private readonly algorithms: string[];
  private readonly identity: IdentitySettings;
  private readonly monitor: JwksMonitor | null = null;
  private readonly healthRetryMs: number;

  constructor(mode: { secret: string } | { jwksUrl: string }, options: JwtVerifierOptions = {}) {
    this.identity = options.identity ?? DEFAULT_IDENTITY;
    this.healthRetryMs = options.healthRetryMs ?? JWKS_HEALTH_RETRY_MS;
    if ('jwksUrl' in mode) {
      const cache = { ...JWKS_CACHE, ...options.jwksCache };
      this.monitor = new JwksMonitor(mode.jwksUrl, { logger: options.logger, onFailure: options.onJwksFetchFailure });
      this.key = createRemoteJWKSet(new URL(mode.jwksUrl), { ...cache, [customFetch]: this.monitor.fetch });
      this.algorithms = ['RS256', 'ES256'];
    } else {
      this.key = new TextEncoder().encode(mode.secret);
      this.algorithms = ['HS256'];
    }
  }

  async verify(token: string): Promise<Actor> {
    const { issuer, audience } = this.identity;
    const options: JWTVerifyOptions = {
      algorithms: this.algorithms,
      clockTolerance: 5,
      requiredClaims: ['exp'],
      ...(issuer !== null ? { issuer } : {}),
      ...(audience !== null ? { audience } : {}),
    };
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, this.key as Uint8Array, options));
    } catch (error) {
      // The provider's keys could not be fetched: not the caller's fault (503), already logged by the monitor.
      if (error instanceof IdentityProviderUnavailableError) throw error;
      throw new InvalidCredentialsError(this.describe(error as { code?: string; claim?: string; reason?: string }));
    }
    return claimsToActor(payload, this.identity);
  }

  /**
   * The identity provider as /health sees it. While its JWKS is unreachable, a look starts one background
   * refetch (at most one per healthRetryMs, never awaited, so /health stays fast): /health then clears itself once
   * the provider is back, even if no one signs in meanwhile.
   */
  identityProvider(): IdentityProviderHealth {
    if (!this.monitor) return { jwks: 'unused', since: null, error: null, failures: 0, lastFetchedAt: null };
    const status = this.monitor.status();
    if (status.jwks === 'unreachable' && this.monitor.sinceLastAttempt() >= this.healthRetryMs) {
      (this.key as RemoteJWKSet).reload().catch(() => undefined); // the monitor records the outcome
    }
    return status;
  }

  /** A description the person holding the token can act on; jose's own text is for developers. */
  private describe({ code, claim, reason }: { code?: string; claim?: string; reason?: string }): string {
    const { issuer, audience } = this.identity;
    if (code === 'ERR_JWT_EXPIRED') return 'The token has expired; sign in again.';
    if (code === 'ERR_JWT_CLAIM_VALIDATION_FAILED' && claim === 'aud' && audience !== null) {
      return reason === 'missing'
        ? `The token has no audience ("aud" claim); this service accepts tokens issued for the audience ${JSON.stringify(audience)} only.`
        : `The token's audience ("aud") is not this service's: ask your identity provider for a token for the audience ${JSON.stringify(audience)}.`;
    }
    if (code === 'ERR_JWT_CLAIM_VALIDATION_FAILED' && claim === 'iss' && issuer !== null) {
      return reason === 'missing'
        ? `The token has no issuer ("iss" claim); this service accepts tokens issued by ${JSON.stringify(issuer)} only.`
        : `The token was issued by another identity provider: its issuer ("iss") is not ${JSON.stringify(issuer)}, the one this service trusts.`;
    }
    if (code === 'ERR_JWT_CLAIM_VALIDATION_FAILED' && claim === 'nbf') {
      return 'The token is not valid yet ("nbf" is in the future); check the clocks of the identity provider and this service.';
    }
    return 'The token is not a valid, correctly signed JWT.';
  }
}

export const JWT_VERIFIER = Symbol('JwtVerifier');
