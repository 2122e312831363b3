import { createRemoteJWKSet, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import { EVENT_BOUNDS, toDisplayText, type Actor } from '#keys';

export class InvalidCredentialsError extends Error {}

// The event schema's identifier (libs/keys key-event-schema.ts); '|' included for subjects like "auth0|abc123".
const ID = /^[A-Za-z0-9._:@|-]{1,128}$/;
const PERMISSION = /^[\x21-\x7e]{1,128}$/;

const claimsToActor = (p: JWTPayload): Actor => {
  const { sub, name, company, role, permissions } = p as Record<string, unknown>;
  if (typeof sub !== 'string' || !ID.test(sub)) throw new InvalidCredentialsError('The token has no valid "sub" claim.');
  if (typeof company !== 'string' || !ID.test(company)) {
    throw new InvalidCredentialsError('The token has no valid "company" claim.');
  }
  if (role !== 'root' && role !== 'user') throw new InvalidCredentialsError('The token\'s "role" claim must be "root" or "user".');
  if (
    permissions !== undefined &&
    (!Array.isArray(permissions) ||
      permissions.length > EVENT_BOUNDS.permissions ||
      !permissions.every((x) => typeof x === 'string' && PERMISSION.test(x)))
  ) {
    throw new InvalidCredentialsError(
      `The token's "permissions" claim must be an array of at most ${EVENT_BOUNDS.permissions} strings of 1 to 128 printable characters without spaces.`,
    );
  }
  return {
    userId: sub,
    // The identity provider's text, shown in lists and written to logs: bounded, control characters replaced.
    name: toDisplayText(name, EVENT_BOUNDS.actorName) ?? sub,
    companyId: company,
    role,
    permissions: (permissions as string[] | undefined) ?? [],
  };
};

/**
 * Verifies the host product's identity tokens: HS256 with a shared secret, or RS256/ES256 against the
 * identity provider's JWKS. The algorithm list is fixed per mode, so a token cannot pick its own
 * (no "none", no HS256 signed with a public key).
 */
export class JwtVerifier {
  private readonly key: Uint8Array | JWTVerifyGetKey;
  private readonly algorithms: string[];

  constructor(options: { secret: string } | { jwksUrl: string }) {
    if ('jwksUrl' in options) {
      this.key = createRemoteJWKSet(new URL(options.jwksUrl));
      this.algorithms = ['RS256', 'ES256'];
    } else {
      this.key = new TextEncoder().encode(options.secret);
      this.algorithms = ['HS256'];
    }
  }

  async verify(token: string): Promise<Actor> {
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, this.key as Uint8Array, { algorithms: this.algorithms, clockTolerance: 5, requiredClaims: ['exp'] }));
    } catch (error) {
      const code = (error as { code?: string }).code;
      throw new InvalidCredentialsError(
        code === 'ERR_JWT_EXPIRED' ? 'The token has expired; sign in again.' : 'The token is not a valid, correctly signed JWT.',
      );
    }
    return claimsToActor(payload);
  }
}

export const JWT_VERIFIER = Symbol('JwtVerifier');
