import { claimsToActor, DEFAULT_IDENTITY, mapRole, MAX_ROLE_VALUES, type IdentitySettings } from './identity-claims.js';
import { InvalidCredentialsError } from './invalid-credentials.error.js';

// How a verified token's claims become an actor under the configured names and role values (issue 14).

const NS = 'https://example.com/';
const auth0: IdentitySettings = {
  issuer: 'https://tenant.example.auth0.com/',
  audience: 'https://keygate.example.com',
  claims: { company: `${NS}company`, role: `${NS}roles`, permissions: 'permissions', name: `${NS}name` },
  rootRoles: ['admin', 'owner'],
  userRoles: ['member'],
};

const refusal = (f: () => unknown): string => {
  try {
    f();
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidCredentialsError);
    return (error as Error).message;
  }
  throw new Error('expected the claims to be refused');
};

describe('claimsToActor', () => {
  it('reads namespaced claims as one name each (the dots are part of the name, not a path)', () => {
    const actor = claimsToActor(
      { sub: 'auth0|abc123', [`${NS}company`]: 'acme', [`${NS}roles`]: ['admin'], permissions: ['settings:edit'], [`${NS}name`]: 'Alice A.' },
      auth0,
    );

    expect(actor).toEqual({ userId: 'auth0|abc123', name: 'Alice A.', companyId: 'acme', role: 'root', permissions: ['settings:edit'] });
  });

  it('does not read the default names when others are configured', () => {
    const message = refusal(() => claimsToActor({ sub: 'alice', company: 'acme', role: 'root', [`${NS}roles`]: 'admin' }, auth0));

    expect(message).toBe(
      'The token has no valid "https://example.com/company" claim (the company id: 1 to 128 letters, digits or . _ : @ | -).',
    );
  });

  it('does not follow a namespaced name as a path into nested objects', () => {
    const nested = { sub: 'alice', 'https://example': { 'com/company': 'acme' }, [`${NS}roles`]: 'admin' };
    expect(refusal(() => claimsToActor(nested, auth0))).toMatch(/"https:\/\/example.com\/company" claim/);
  });

  it('ignores inherited properties: a claim name like "constructor" is absent unless the token carries it', () => {
    const odd: IdentitySettings = { ...auth0, claims: { ...auth0.claims, company: 'constructor', name: 'toString' } };
    expect(refusal(() => claimsToActor({ sub: 'alice', [`${NS}roles`]: 'admin' }, odd))).toMatch(/"constructor" claim/);
    expect(claimsToActor({ sub: 'alice', constructor: 'acme', [`${NS}roles`]: 'admin' }, odd)).toMatchObject({ companyId: 'acme', name: 'alice' });
  });

  it('keeps Keygate\'s own names and values by default', () => {
    expect(claimsToActor({ sub: 'bob', company: 'acme', role: 'user' })).toEqual({
      userId: 'bob',
      name: 'bob',
      companyId: 'acme',
      role: 'user',
      permissions: [],
    });
    expect(DEFAULT_IDENTITY.rootRoles).toEqual(['root']);
    expect(refusal(() => claimsToActor({ sub: 'bob', company: 'acme', role: 'admin' }))).toMatch(/"role" claim names no role/);
  });

  it('keeps the bounds on sub, company and permissions, naming the configured claim', () => {
    const ok = { sub: 'alice', [`${NS}company`]: 'acme', [`${NS}roles`]: 'admin' };
    expect(refusal(() => claimsToActor({ ...ok, sub: 'a b' }, auth0))).toBe('The token has no valid "sub" claim.');
    expect(refusal(() => claimsToActor({ ...ok, [`${NS}company`]: 'x'.repeat(129) }, auth0))).toMatch(/company" claim/);
    expect(refusal(() => claimsToActor({ ...ok, permissions: 'settings:edit' }, auth0))).toMatch(/^The token's "permissions" claim must be an array/);
    expect(refusal(() => claimsToActor({ ...ok, permissions: Array(101).fill('p') }, auth0))).toMatch(/at most 100/);
    const custom = { ...auth0, claims: { ...auth0.claims, permissions: `${NS}perms` } };
    expect(refusal(() => claimsToActor({ ...ok, [`${NS}perms`]: ['has space'] }, custom))).toMatch(/^The token's "https:\/\/example.com\/perms" claim/);
  });
});

describe('mapRole', () => {
  it.each([
    ['admin', 'root'],
    ['owner', 'root'],
    ['member', 'user'],
    [['member', 'billing'], 'user'],
    [['billing', 'admin'], 'root'],
    // The highest role held wins, whatever the order.
    [['member', 'owner'], 'root'],
    [['owner', 'member'], 'root'],
  ] as const)('maps %j to %s', (value, role) => {
    expect(mapRole(value, auth0)).toBe(role);
  });

  it.each([
    [
      'a value it does not know',
      'viewer',
      /"https:\/\/example.com\/roles" claim names no role this service knows: it must name one of the root roles "admin", "owner", user roles "member"\./,
    ],
    ['a list of values it does not know', ['viewer', 'billing'], /claim names no role this service knows/],
    ['an empty list', [], /claim names no role this service knows/],
    ['a value of another case (matching is exact)', 'Admin', /claim names no role/],
    ['no role claim at all', undefined, /^The token has no "https:\/\/example.com\/roles" claim: it must name one of the root roles/],
    ['a number', 1, /claim must be a string or a list of at most 100 strings/],
    ['an object', { admin: true }, /claim must be a string or a list/],
    ['a list holding a non-string', ['admin', 1], /claim must be a string or a list/],
    ['a list longer than the bound, even holding a root role', [...Array(MAX_ROLE_VALUES).fill('x'), 'admin'], /at most 100 strings/],
  ])('refuses %s with a description naming the claim', (_, value, message) => {
    expect(refusal(() => mapRole(value, auth0))).toMatch(message);
  });

  it('a list at the bound is read', () => {
    expect(mapRole([...Array(MAX_ROLE_VALUES - 1).fill('x'), 'admin'], auth0)).toBe('root');
  });

  it('without user roles, only root roles are accepted, and the description says so', () => {
    const rootOnly = { ...auth0, userRoles: [] };
    expect(mapRole('admin', rootOnly)).toBe('root');
    expect(refusal(() => mapRole('member', rootOnly))).toMatch(/must name one of the root roles "admin", "owner"\.$/);
  });
});
