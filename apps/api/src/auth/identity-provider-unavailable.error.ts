/** Why a JWKS fetch failed: a bounded set, used as a metrics label. */
export type JwksFailureReason = 'network' | 'timeout' | 'http_status' | 'invalid_json' | 'invalid_jwks';

/** What the person is told (503): not their token's fault, and nothing about the provider's address. */
export const IDENTITY_PROVIDER_UNAVAILABLE =
  "The identity provider's keys cannot be fetched, so your token cannot be checked right now (your token may well be fine). Try again shortly.";

/**
 * The identity provider's JWKS could not be fetched when a token needed it (network error, timeout, a status
 * other than 200, not a JSON Web Key Set). Distinct from InvalidCredentialsError: the caller did nothing
 * wrong, so the answer is 503 (problem/problem-details.filter.ts), not 401. The message is for operators
 * (it names what went wrong); the JwksMonitor has logged it, rate-limited, with the URL.
 */
export class IdentityProviderUnavailableError extends Error {
  override readonly name = 'IdentityProviderUnavailableError';

  constructor(
    readonly reason: JwksFailureReason,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}
