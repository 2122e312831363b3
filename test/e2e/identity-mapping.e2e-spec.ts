import { Writable } from 'node:stream';
import { jest } from '@jest/globals';
import { createLogger } from '#logging';
import { bootKeygate, expectProblem, ids, JWT_SECRET, signJwt, type Keygate } from '#test-support/keygate-harness';
import { LocalJwks, newSigningKey, signRs256, type SigningKey } from '#test-support/local-jwks';

// Issue 14, identity mapping: Keygate behind an identity provider that signs RS256 tokens with namespaced claims
// and publishes its keys at a JWKS (a local node:http server here), with an issuer and an audience configured and
// "admin" meaning root. Then the JWKS goes away: the outage must be a 503, a log line with the URL, a /metrics
// counter and a /health report, not "not correctly signed" for everyone; and it must end when the JWKS is back.

const ISSUER = 'https://idp.keygate.test/';
const AUDIENCE = 'https://keygate.test/api';
const NS = 'https://keygate.test/';

describe('identity mapping: issuer, audience, namespaced claims, role values, a JWKS outage', () => {
  const jwks = new LocalJwks();
  const lines: Record<string, unknown>[] = [];
  let kg: Keygate;
  let k1: SigningKey;

  beforeAll(async () => {
    k1 = await newSigningKey('k1');
    jwks.keys = [k1];
    await jwks.start();
    const sink = new Writable({
      write(chunk, _encoding, done) {
        for (const line of chunk.toString('utf8').split('\n').filter(Boolean)) lines.push(JSON.parse(line));
        done();
      },
    });
    kg = await bootKeygate({
      logger: createLogger('info', sink),
      env: {
        KEYGATE_JWKS_URL: jwks.url,
        KEYGATE_JWT_ISSUER: ISSUER,
        KEYGATE_JWT_AUDIENCE: AUDIENCE,
        KEYGATE_JWT_CLAIM_COMPANY: `${NS}company`,
        KEYGATE_JWT_CLAIM_ROLE: `${NS}roles`,
        KEYGATE_JWT_CLAIM_PERMISSIONS: `${NS}permissions`,
        KEYGATE_JWT_CLAIM_NAME: `${NS}name`,
        KEYGATE_JWT_ROOT_ROLES: 'admin',
        KEYGATE_JWT_USER_ROLES: 'member',
      },
    });
  });
  afterAll(async () => {
    jest.restoreAllMocks();
    await kg?.close();
    await jwks.stop();
  });

  /** A token as the provider issues it: Auth0-style namespaced claims, roles as a list. */
  const token = (key: SigningKey, who: { sub: string; roles: string[]; company?: string | null; iss?: string; aud?: string }) => {
    const claims: Record<string, unknown> = {
      iss: who.iss ?? ISSUER,
      aud: who.aud ?? AUDIENCE,
      [`${NS}roles`]: who.roles,
      [`${NS}permissions`]: ['settings:view'],
      [`${NS}name`]: `${who.sub} (from the provider)`,
    };
    if (who.company !== null) claims[`${NS}company`] = who.company ?? 'acme';
    return signRs256(key, claims, { sub: who.sub });
  };

  const expectUnauthorized = async (jwt: string, detail: RegExp) => {
    const res = await kg.api(jwt).get('/api/keys');
    expectProblem(res, 401, detail);
  };

  const metric = async (name: string): Promise<number> => {
    const res = await kg.api().get('/metrics');
    expect(res.status).toBe(200);
    const values = [...res.text.matchAll(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'gm'))].map((m) => Number(m[1]));
    return values.reduce((a, b) => a + b, 0);
  };

  it('accepts the right issuer and audience with namespaced claims; "admin" acts as root and sees a colleague\'s key, "member" does not', async () => {
    const pam = await token(k1, { sub: 'pam', roles: ['member', 'billing'] });
    const ada = await token(k1, { sub: 'ada', roles: ['member', 'admin'] });
    const pamKey = (await kg.mintKey(pam, 'pam one')).key;
    expect(pamKey).toMatchObject({ userId: 'pam', userName: 'pam (from the provider)' });
    const adaKey = (await kg.mintKey(ada, 'ada one')).key;

    expect(ids(await kg.listKeys(ada)).sort()).toEqual([adaKey.id, pamKey.id].sort());
    expect(ids(await kg.listKeys(pam))).toEqual([pamKey.id]);
    // Another company's admin sees neither: the company came from the namespaced claim.
    expect(await kg.listKeys(await token(k1, { sub: 'gus', roles: ['admin'], company: 'globex' }))).toEqual([]);
  });

  it('refuses a token for another audience: 401 saying the audience is not this service\'s', async () => {
    const other = await token(k1, { sub: 'ada', roles: ['admin'], aud: 'https://other-api.keygate.test' });
    await expectUnauthorized(other, /audience \("aud"\) is not this service's.*https:\/\/keygate.test\/api/);
  });

  it('refuses a token from another issuer: 401 saying so', async () => {
    await expectUnauthorized(await token(k1, { sub: 'ada', roles: ['admin'], iss: 'https://evil.keygate.test/' }), /issued by another identity provider/);
  });

  it('refuses a token without the namespaced company claim, naming it; and a role value it does not know', async () => {
    await expectUnauthorized(await token(k1, { sub: 'ada', roles: ['admin'], company: null }), /no valid "https:\/\/keygate.test\/company" claim/);
    await expectUnauthorized(await token(k1, { sub: 'ada', roles: ['viewer'] }), /"https:\/\/keygate.test\/roles" claim names no role this service knows/);
  });

  it('refuses an HS256 token, even one signed with the configured secret: with a JWKS, only its keys count', async () => {
    await expectUnauthorized(await signJwt({ sub: 'ada', company: 'acme', role: 'root' }, { secret: JWT_SECRET }), /not a valid, correctly signed JWT/);
  });

  it('a JWKS outage: a token from a new key id answers 503 (not 401), logged once with the URL, counted in /metrics, reported by /health; then it ends', async () => {
    const health = await kg.api().get('/health');
    expect(health.body).toMatchObject({ status: 'ok', identityProvider: { jwks: 'reachable', error: null } });
    expect(await metric('keygate_jwks_fetch_failures_total')).toBe(0);

    // The provider rotates to a new key, and its JWKS endpoint goes down at the same moment.
    const k2 = await newSigningKey('k2');
    jwks.keys = [k1, k2];
    await jwks.stop();
    // jose refetches for an unknown key id only 30 s after its last successful fetch (its cooldown, which keeps
    // made-up key ids from hammering the provider). Move Date.now, which jose and the monitor read, past it.
    const realNow = Date.now.bind(Date);
    jest.spyOn(Date, 'now').mockImplementation(() => realNow() + 31_000);
    const before = jwks.hits;

    const rotated = await token(k2, { sub: 'ada', roles: ['admin'] });
    for (let i = 0; i < 3; i++) {
      const res = await kg.api(rotated).get('/api/keys');
      expectProblem(res, 503, /identity provider's keys cannot be fetched/);
      expect(res.body.type).toBe('urn:keygate:problem:identity-provider-unavailable');
      expect(res.headers.get('retry-after')).toBe('30');
      expect(res.headers.get('www-authenticate')).toBeNull();
      expect(res.text).not.toContain(jwks.url);
    }
    expect(jwks.hits).toBe(before); // the port was closed: nothing reached it

    // A token from the key jose already holds still verifies: the cached keys outlive the outage.
    expect((await kg.api(await token(k1, { sub: 'ada', roles: ['admin'] })).get('/api/keys')).status).toBe(200);

    // Logged at error, with the URL, once for the three failed fetches (rate-limited); not once per request.
    const outageLines = lines.filter((l) => l.jwksUrl === jwks.url);
    expect(outageLines).toEqual([
      expect.objectContaining({
        level: 50,
        jwksUrl: jwks.url,
        reason: 'network',
        error: expect.stringMatching(/ECONNREFUSED/),
        msg: expect.stringMatching(/JWKS cannot be fetched/),
      }),
    ]);
    expect(lines.filter((l) => l.msg === 'request failed')).toEqual([]);
    // Counted: one failed fetch per request that needed the new key.
    expect(await metric('keygate_jwks_fetch_failures_total')).toBe(3);
    // Reported, and still ready: the MCP endpoint and verify do not need the provider.
    const down = await kg.api().get('/health');
    expect(down.status).toBe(200);
    expect(down.body).toMatchObject({
      status: 'degraded',
      ready: true,
      identityProvider: { jwks: 'unreachable', since: expect.any(String), error: expect.stringMatching(/^cannot connect: .*ECONNREFUSED/), failures: 3 },
    });

    // The JWKS is back: the new key is fetched and the token accepted; /health clears; the end is logged.
    await jwks.start();
    const back = await kg.api(rotated).get('/api/keys');
    expect(back.status).toBe(200);
    expect(jwks.hits).toBe(before + 1);
    expect((await kg.api().get('/health')).body).toMatchObject({ status: 'ok', ready: true, identityProvider: { jwks: 'reachable', error: null, failures: 0 } });
    expect(lines.filter((l) => l.jwksUrl === jwks.url).map((l) => [l.level, l.msg])).toEqual([
      [50, expect.stringMatching(/JWKS cannot be fetched/)],
      [30, "the identity provider's JWKS can be fetched again"],
    ]);
    expect(await metric('keygate_jwks_fetch_failures_total')).toBe(3);
  });
});
