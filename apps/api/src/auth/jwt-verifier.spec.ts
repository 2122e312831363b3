import { SignJWT } from 'jose';
import { LocalJwks, newSigningKey, signRs256, type SigningKey } from '#test-support/local-jwks';
import { DEFAULT_IDENTITY, type IdentitySettings } from './identity-claims.js';
import { IdentityProviderUnavailableError, InvalidCredentialsError, JwtVerifier } from './jwt-verifier.js';

// The verifier with real jose and a real JWKS over HTTP (node:http on 127.0.0.1): issuer and audience checks,
// configured claims, and a JWKS that cannot be fetched told apart from a token that is not correctly signed.

const SECRET = 'unit-secret-0123456789abcdefghijklmnopqrstuvwxyz';
const ISSUER = 'https://idp.example.com/';
const AUDIENCE = 'https://keygate.example.com';
const identity: IdentitySettings = {
  issuer: ISSUER,
  audience: AUDIENCE,
  claims: { company: 'https://example.com/company', role: 'https://example.com/roles', permissions: 'permissions', name: 'name' },
  rootRoles: ['admin'],
  userRoles: ['member'],
};
const claims = { 'https://example.com/company': 'acme', 'https://example.com/roles': ['member'] };

const hs256 = (payload: Record<string, unknown>, options: { iss?: string; aud?: string } = {}) => {
  const jwt = new SignJWT(payload).setProtectedHeader({ alg: 'HS256' }).setSubject('alice').setExpirationTime('1h');
  if (options.iss) jwt.setIssuer(options.iss);
  if (options.aud) jwt.setAudience(options.aud);
  return jwt.sign(new TextEncoder().encode(SECRET));
};

const refusal = async (verifier: JwtVerifier, token: string): Promise<string> => {
  const error = await verifier.verify(token).then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(InvalidCredentialsError);
  return (error as Error).message;
};

describe('JwtVerifier: issuer and audience (HS256)', () => {
  const verifier = new JwtVerifier({ secret: SECRET }, { identity });

  it('accepts the right issuer and audience, with the claims read under their configured names', async () => {
    await expect(verifier.verify(await hs256(claims, { iss: ISSUER, aud: AUDIENCE }))).resolves.toEqual({
      userId: 'alice',
      name: 'alice',
      companyId: 'acme',
      role: 'user',
      permissions: [],
    });
  });

  it('accepts an audience list that includes this service', async () => {
    const jwt = await new SignJWT(claims)
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('alice')
      .setIssuer(ISSUER)
      .setAudience(['https://other-api.example.com', AUDIENCE])
      .setExpirationTime('1h')
      .sign(new TextEncoder().encode(SECRET));
    await expect(verifier.verify(jwt)).resolves.toMatchObject({ userId: 'alice' });
  });

  it('refuses another audience, saying it is not this service\'s and which one is', async () => {
    expect(await refusal(verifier, await hs256(claims, { iss: ISSUER, aud: 'https://other-api.example.com' }))).toBe(
      'The token\'s audience ("aud") is not this service\'s: ask your identity provider for a token for the audience "https://keygate.example.com".',
    );
  });

  it('refuses a token without an audience', async () => {
    expect(await refusal(verifier, await hs256(claims, { iss: ISSUER }))).toMatch(/^The token has no audience \("aud" claim\)/);
  });

  it('refuses another issuer, and a token without one', async () => {
    expect(await refusal(verifier, await hs256(claims, { iss: 'https://evil.example.com/', aud: AUDIENCE }))).toBe(
      'The token was issued by another identity provider: its issuer ("iss") is not "https://idp.example.com/", the one this service trusts.',
    );
    expect(await refusal(verifier, await hs256(claims, { aud: AUDIENCE }))).toMatch(/^The token has no issuer \("iss" claim\)/);
  });

  it('checks neither when neither is configured (the settings are optional)', async () => {
    const open = new JwtVerifier({ secret: SECRET }, { identity: { ...identity, issuer: null, audience: null } });
    await expect(open.verify(await hs256(claims, { iss: 'https://anyone.example.com/', aud: 'anything' }))).resolves.toMatchObject({ companyId: 'acme' });
  });

  it('without identity settings, reads Keygate\'s own claim names (the behaviour before they were configurable)', async () => {
    const plain = new JwtVerifier({ secret: SECRET });
    await expect(plain.verify(await hs256({ company: 'acme', role: 'root' }))).resolves.toMatchObject({ role: 'root', companyId: 'acme' });
    expect(await refusal(plain, await hs256(claims))).toMatch(/"company" claim/);
    expect(DEFAULT_IDENTITY.issuer).toBeNull();
  });

  it('reports no JWKS to /health in secret mode', () => {
    expect(verifier.identityProvider()).toMatchObject({ jwks: 'unused', error: null });
  });
});

describe('JwtVerifier: a JWKS over HTTP', () => {
  const jwks = new LocalJwks();
  let first: SigningKey;
  const logged: { level: string; fields: Record<string, unknown>; message: string }[] = [];
  const failures: string[] = [];
  const logger = {
    error: (fields: object, message: string) => logged.push({ level: 'error', fields: fields as Record<string, unknown>, message }),
    info: (fields: object, message: string) => logged.push({ level: 'info', fields: fields as Record<string, unknown>, message }),
  };
  // A short cooldown, so a new key id makes jose refetch without the test waiting 30 s.
  const newVerifier = (cooldownDuration = 0) =>
    new JwtVerifier({ jwksUrl: jwks.url }, { identity, logger, onJwksFetchFailure: (r) => failures.push(r), jwksCache: { cooldownDuration } });

  beforeAll(async () => {
    first = await newSigningKey('k1');
    jwks.keys = [first];
    await jwks.start();
  });
  afterAll(() => jwks.stop());
  beforeEach(() => {
    jwks.mode = 'serve';
    logged.length = 0;
    failures.length = 0;
  });

  const token = (key: SigningKey, extra: Record<string, unknown> = {}) => signRs256(key, { iss: ISSUER, aud: AUDIENCE, ...claims, ...extra });

  it('accepts an RS256 token from the published key; /health says reachable', async () => {
    const verifier = newVerifier();
    expect(verifier.identityProvider().jwks).toBe('not-fetched');

    await expect(verifier.verify(await token(first, { 'https://example.com/roles': 'admin' }))).resolves.toMatchObject({ role: 'root' });
    expect(verifier.identityProvider()).toMatchObject({ jwks: 'reachable', error: null, failures: 0, lastFetchedAt: expect.any(String) });
  });

  it('refuses an HS256 token in JWKS mode without fetching anything (fixed algorithms)', async () => {
    const hits = jwks.hits;
    expect(await refusal(newVerifier(), await hs256(claims, { iss: ISSUER, aud: AUDIENCE }))).toBe('The token is not a valid, correctly signed JWT.');
    expect(jwks.hits).toBe(hits);
  });

  it('a token from a key the provider does not publish, with the JWKS up: 401 not correctly signed, not an outage', async () => {
    const verifier = newVerifier();
    const stranger = await newSigningKey('k-unknown');
    expect(await refusal(verifier, await token(stranger))).toBe('The token is not a valid, correctly signed JWT.');
    expect(verifier.identityProvider().jwks).toBe('reachable');
    expect(failures).toEqual([]);
  });

  it.each([
    ['answers 500', 'http-500', 'http_status', /^HTTP 500, expected 200/],
    ['answers HTML', 'not-json', 'invalid_json', /^the answer is not JSON$/],
    ['answers JSON that is not a JWKS', 'not-a-jwks', 'invalid_jwks', /not a JSON Web Key Set/],
  ] as const)('a JWKS that %s: IdentityProviderUnavailableError (not a 401), logged with the URL, counted', async (_, mode, reason, error) => {
    const verifier = newVerifier();
    jwks.mode = mode;
    const thrown = await verifier.verify(await token(first)).catch((e: unknown) => e);

    expect(thrown).toBeInstanceOf(IdentityProviderUnavailableError);
    expect(thrown).not.toBeInstanceOf(InvalidCredentialsError);
    expect((thrown as IdentityProviderUnavailableError).reason).toBe(reason);
    expect(failures).toEqual([reason]);
    expect(logged).toEqual([
      {
        level: 'error',
        fields: expect.objectContaining({ jwksUrl: jwks.url, reason, error: expect.stringMatching(error) }),
        message: expect.stringMatching(/JWKS cannot be fetched/),
      },
    ]);
    expect(verifier.identityProvider()).toMatchObject({ jwks: 'unreachable', error: expect.stringMatching(error), failures: 1, since: expect.any(String) });
  });

  it('a JWKS whose port is closed: network failure; cached keys still verify; a new key id refetches and fails; back: accepted', async () => {
    const verifier = newVerifier();
    await expect(verifier.verify(await token(first))).resolves.toMatchObject({ userId: 'alice' });
    const second = await newSigningKey('k2');
    jwks.keys = [first, second];
    await jwks.stop();
    try {
      // jose keeps the fetched keys for cacheMaxAge: a token from a known key needs no fetch.
      await expect(verifier.verify(await token(first))).resolves.toMatchObject({ userId: 'alice' });
      expect(failures).toEqual([]);

      const thrown = await verifier.verify(await token(second)).catch((e: unknown) => e);
      expect(thrown).toBeInstanceOf(IdentityProviderUnavailableError);
      expect(failures).toEqual(['network']);
      expect(verifier.identityProvider()).toMatchObject({ jwks: 'unreachable', error: expect.stringMatching(/^cannot connect: .*ECONNREFUSED/) });
    } finally {
      await jwks.start();
    }
    await expect(verifier.verify(await token(second))).resolves.toMatchObject({ userId: 'alice' });
    expect(verifier.identityProvider()).toMatchObject({ jwks: 'reachable', error: null, failures: 0 });
    expect(logged.map((l) => l.level)).toEqual(['error', 'info']);
    expect(logged[1]).toMatchObject({ fields: { jwksUrl: jwks.url, failures: 1 }, message: expect.stringMatching(/can be fetched again/) });
  });

  it('within jose\'s cooldown after a fetch, an unknown key id does not refetch (made-up key ids cannot hammer the provider)', async () => {
    const verifier = newVerifier(30_000);
    await verifier.verify(await token(first));
    const hits = jwks.hits;
    for (let i = 0; i < 5; i++) await refusal(verifier, await token(await newSigningKey(`made-up-${i}`)));
    expect(jwks.hits).toBe(hits);
  });

  it('while unreachable, a look from /health starts one background refetch, so /health clears when the provider is back', async () => {
    const verifier = new JwtVerifier({ jwksUrl: jwks.url }, { identity, logger, healthRetryMs: 200 });
    jwks.mode = 'http-500';
    await verifier.verify(await token(first)).catch(() => undefined);
    jwks.mode = 'serve';
    const hits = jwks.hits;

    // Within the retry interval: no fetch.
    expect(verifier.identityProvider().jwks).toBe('unreachable');
    expect(jwks.hits).toBe(hits);
    await new Promise((r) => setTimeout(r, 250));
    expect(verifier.identityProvider().jwks).toBe('unreachable'); // this look started the refetch
    await waitFor(() => verifier.identityProvider().jwks === 'reachable');
    expect(jwks.hits).toBe(hits + 1);
  });
});

const waitFor = async (done: () => boolean, ms = 2000) => {
  const end = Date.now() + ms;
  while (!done()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
};
