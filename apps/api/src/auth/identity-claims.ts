import type { JWTPayload } from 'jose';
import type { KeygateConfig } from '#config';
import { EVENT_BOUNDS, toDisplayText, type Actor } from '#keys';
import { InvalidCredentialsError } from './invalid-credentials.error.js';

/** How the host product's tokens map onto a Keygate actor (KEYGATE_JWT_* settings; README "Adopting Keygate"). */
export type IdentitySettings = KeygateConfig['identity'];

/** The mapping Keygate had before it was configurable: its own claim names, "root" and "user" as they are. */
export const DEFAULT_IDENTITY: IdentitySettings = {
  issuer: null,
  audience: null,
  claims: { company: 'company', role: 'role', permissions: 'permissions', name: 'name' },
  rootRoles: ['root'],
  userRoles: ['user'],
};

// The event schema's identifier (libs/keys key-event-schema.ts); '|' included for subjects like "auth0|abc123".
const ID = /^[A-Za-z0-9._:@|-]{1,128}$/;
const PERMISSION = /^[\x21-\x7e]{1,128}$/;
/** Identity providers put a person's roles in a list; a list longer than this is not one a person holds. */
export const MAX_ROLE_VALUES = 100;

const quoted = (values: readonly string[]) => values.map((v) => JSON.stringify(v)).join(', ');

/**
 * The role claim's value → 'root' or 'user'. A single string must be one of the configured values. A list
 * (Auth0 and Keycloak give lists) is root when any value is a root role, else user when any is a user role:
 * the highest role the person holds, as the identity provider would grant it; values Keygate does not know
 * are ignored there, since such lists carry the product's other roles too.
 */
export const mapRole = (value: unknown, identity: Pick<IdentitySettings, 'claims' | 'rootRoles' | 'userRoles'>): Actor['role'] => {
  const name = JSON.stringify(identity.claims.role);
  const accepted = `root roles ${quoted(identity.rootRoles)}${identity.userRoles.length ? `, user roles ${quoted(identity.userRoles)}` : ''}`;
  if (value === undefined) throw new InvalidCredentialsError(`The token has no ${name} claim: it must name one of the ${accepted}.`);
  const values = typeof value === 'string' ? [value] : Array.isArray(value) ? value : null;
  if (values === null || values.length > MAX_ROLE_VALUES || !values.every((v) => typeof v === 'string')) {
    throw new InvalidCredentialsError(`The token's ${name} claim must be a string or a list of at most ${MAX_ROLE_VALUES} strings.`);
  }
  if (values.some((v) => identity.rootRoles.includes(v))) return 'root';
  if (values.some((v) => identity.userRoles.includes(v))) return 'user';
  throw new InvalidCredentialsError(`The token's ${name} claim names no role this service knows: it must name one of the ${accepted}.`);
};

/**
 * A verified token's claims → the actor, read under the configured names. A namespaced name
 * (https://example.com/company) is one top-level claim, never a path: the dots in it are part of the name.
 */
export const claimsToActor = (payload: JWTPayload, identity: IdentitySettings = DEFAULT_IDENTITY): Actor => {
  const claims = payload as Record<string, unknown>;
  // Own properties only: a claim named "constructor" or "__proto__" must not read Object.prototype.
  const claim = (name: string): unknown => (Object.hasOwn(claims, name) ? claims[name] : undefined);
  const { sub } = claims;
  if (typeof sub !== 'string' || !ID.test(sub)) throw new InvalidCredentialsError('The token has no valid "sub" claim.');
  const company = claim(identity.claims.company);
  if (typeof company !== 'string' || !ID.test(company)) {
    throw new InvalidCredentialsError(
      `The token has no valid ${JSON.stringify(identity.claims.company)} claim (the company id: 1 to 128 letters, digits or . _ : @ | -).`,
    );
  }
  const role = mapRole(claim(identity.claims.role), identity);
  const permissions = claim(identity.claims.permissions);
  if (
    permissions !== undefined &&
    (!Array.isArray(permissions) ||
      permissions.length > EVENT_BOUNDS.permissions ||
      !permissions.every((x) => typeof x === 'string' && PERMISSION.test(x)))
  ) {
    throw new InvalidCredentialsError(
      `The token's ${JSON.stringify(identity.claims.permissions)} claim must be an array of at most ${EVENT_BOUNDS.permissions} strings ` +
        'of 1 to 128 printable characters without spaces.',
    );
  }
  return {
    userId: sub,
    // The identity provider's text, shown in lists and written to logs: bounded, control characters replaced.
    name: toDisplayText(claim(identity.claims.name), EVENT_BOUNDS.actorName) ?? sub,
    companyId: company,
    role,
    permissions: (permissions as string[] | undefined) ?? [],
  };
};
