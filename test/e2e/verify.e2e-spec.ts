import { mintToken, newKeyId } from '#keys';
import { bootKeygate, DAY, expectProblem, settle, signJwt, type ActivityEntry, type Identity, type Keygate } from '#test-support/keygate-harness';
import { callRequest, mcpRaw } from '#test-support/mcp-client';

// POST /api/verify: a host product's backend, holding a service token, asks whether a key its own route received
// may be used there. The guard is the MCP endpoint's own instance: same checks, same rate limit, same usage record.

const SERVICE_TOKEN = 'svc-e2e-0123456789abcdefghijklmnopqrstuvwxyz';
const OTHER_SERVICE_TOKEN = 'svc-e2e-other-0123456789abcdefghijklmnopqrst';
const alice: Identity = { sub: 'alice', company: 'acme', role: 'root', permissions: ['settings:view', 'orders:read'] };

type UseEntry = ActivityEntry & { tool?: string | null; count?: number; outcomes?: Record<'ok' | 'error' | 'denied', number>; client?: { name: string | null; version: string | null } };

const suite = (env: Record<string, string> = {}) => {
  const ctx = {
    kg: undefined as unknown as Keygate,
    jwt: '',
    /** POST /api/verify with the service token (or another credential), as a host backend named host-app/2.3. */
    verify: (body: unknown, credential: string | null = SERVICE_TOKEN) =>
      ctx.kg.api().request('POST', '/api/verify', {
        body: JSON.stringify(body),
        headers: { 'content-type': 'application/json', 'user-agent': 'host-app/2.3 (node)', ...(credential === null ? {} : { authorization: `Bearer ${credential}` }) },
      }),
    uses: async (keyId: string): Promise<UseEntry[]> => {
      await settle(ctx.kg);
      return (await ctx.kg.activity(ctx.jwt, { keyId })).filter((e) => e.type === 'KeyUsed');
    },
  };
  beforeAll(async () => {
    // Every test mints its own keys: room for them all.
    ctx.kg = await bootKeygate({
      env: { KEYGATE_SERVICE_TOKENS: `${SERVICE_TOKEN},${OTHER_SERVICE_TOKEN}`, KEYGATE_MAX_KEYS_PER_USER: '50', KEYGATE_MAX_KEYS_PER_COMPANY: '50', ...env },
    });
    ctx.jwt = await signJwt(alice);
  });
  afterAll(async () => {
    await ctx.kg?.close();
  });
  return ctx;
};

/** What an answer that knows nothing of the key holds: every identity field null. */
const NOTHING = {
  keyId: null, userId: null, userName: null, companyId: null, permissions: null, expiresAt: null, ratelimit: null, retryAfterSeconds: null,
  replacedBy: null, overlapEndsAt: null,
};

describe('POST /api/verify: codes', () => {
  const s = suite();

  it('given a live key, then VALID with who it acts as, its permissions, expiry and rate limit; one KeyUsed recorded, route as its tool', async () => {
    const { key, token } = await s.kg.mintKey(s.jwt, 'orders integration');

    const res = await s.verify({ key: token, permissions: ['orders:read'], route: 'orders.list' });

    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      valid: true,
      code: 'VALID',
      detail: 'The API key is valid.',
      keyId: key.id,
      userId: 'alice',
      userName: 'Alice',
      companyId: 'acme',
      permissions: ['settings:view', 'orders:read'],
      expiresAt: key.expiresAt,
      ratelimit: { limit: 1000, remaining: 999, resetAt: new Date(s.kg.clock.now().getTime() + 60_000).toISOString() },
      retryAfterSeconds: null,
      replacedBy: null,
      overlapEndsAt: null,
    });
    expect(res.text).not.toContain(token);
    const uses = await s.uses(key.id);
    expect(uses).toEqual([
      expect.objectContaining({ keyId: key.id, actorUserId: 'alice', tool: 'orders.list', count: 1, outcomes: { ok: 1, error: 0, denied: 0 }, client: { name: 'host-app', version: '2.3' } }),
    ]);
  });

  it('given verifies without a route, then each is recorded with no tool, and last used moves', async () => {
    const { key, token } = await s.kg.mintKey(s.jwt, 'no route');
    for (let i = 0; i < 3; i++) expect((await s.verify({ key: token })).body).toMatchObject({ code: 'VALID', ratelimit: { remaining: 999 - i } });

    expect(await s.uses(key.id)).toEqual([expect.objectContaining({ tool: null, count: 3, outcomes: { ok: 3, error: 0, denied: 0 } })]);
    expect((await s.kg.listKeys(s.jwt)).find((k) => k.id === key.id)?.lastUsedAt).toBe(s.kg.clock.now().toISOString());
  });

  it('given a route requiring a permission the key lacks, then INSUFFICIENT_PERMISSIONS, identified, recorded as denied', async () => {
    const { key, token } = await s.kg.mintKey(s.jwt, 'under-permitted');

    const res = await s.verify({ key: token, permissions: ['orders:read', 'orders:write', 'billing:admin'], route: 'orders/update' });

    expect(res.body).toMatchObject({
      valid: false,
      code: 'INSUFFICIENT_PERMISSIONS',
      detail: expect.stringContaining('orders:write, billing:admin'),
      keyId: key.id,
      userId: 'alice',
      permissions: ['settings:view', 'orders:read'],
      ratelimit: { remaining: 999 },
    });
    expect(await s.uses(key.id)).toEqual([expect.objectContaining({ tool: 'orders/update', outcomes: { ok: 0, error: 0, denied: 1 } })]);
  });

  it('given a wrong secret for a real key id and an unknown key id, then the same INVALID answer, revealing nothing; nothing recorded', async () => {
    const { key } = await s.kg.mintKey(s.jwt, 'target');
    const wrongSecret = await s.verify({ key: mintToken(key.id).token });
    const unknownId = await s.verify({ key: mintToken(newKeyId()).token });
    const garbage = await s.verify({ key: 'not a key at all' });

    for (const res of [wrongSecret, unknownId]) {
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ ...NOTHING, valid: false, code: 'INVALID', detail: 'The API key is invalid.' });
    }
    expect(garbage.body).toMatchObject({ ...NOTHING, valid: false, code: 'INVALID' });
    expect(await s.uses(key.id)).toEqual([]);
  });

  it('given a revoked key, then REVOKED, naming only the id the key carries', async () => {
    const { key, token } = await s.kg.mintKey(s.jwt, 'soon revoked');
    expect((await s.verify({ key: token })).body.code).toBe('VALID');
    expect((await s.kg.api(s.jwt).post(`/api/keys/${key.id}/revoke`)).status).toBe(200);

    const res = await s.verify({ key: token });

    expect(res.body).toEqual({ ...NOTHING, valid: false, code: 'REVOKED', detail: 'The API key has been revoked.', keyId: key.id });
  });

  it('given a deleted key, then INVALID, as for a key that never existed', async () => {
    const { key, token } = await s.kg.mintKey(s.jwt, 'soon deleted');
    await s.kg.api(s.jwt).post(`/api/keys/${key.id}/revoke`);
    expect((await s.kg.api(s.jwt).delete(`/api/keys/${key.id}`)).status).toBe(204);

    expect((await s.verify({ key: token })).body).toEqual({ ...NOTHING, valid: false, code: 'INVALID', detail: 'The API key is invalid.' });
  });

  it('answers 400 problem+json for a body out of bounds, and unknown fields', async () => {
    const { token } = await s.kg.mintKey(s.jwt, 'bounds');
    const cases: [unknown, RegExp][] = [
      [{}, /key must be a string/],
      [{ key: 'x'.repeat(201) }, /key must be shorter than or equal to 200/],
      [{ key: token, permissions: Array.from({ length: 101 }, (_, i) => `p${i}`) }, /permissions must contain no more than 100/],
      [{ key: token, permissions: ['has space'] }, /each permission must be/],
      [{ key: token, route: 'GET /orders' }, /route must be/],
      [{ key: token, route: 'r'.repeat(129) }, /route must be/],
      [{ key: token, clientAddress: 'not an address!' }, /clientAddress must be an IP address/],
      [{ key: token, admin: true }, /property admin should not exist/],
    ];
    for (const [body, detail] of cases) expectProblem(await s.verify(body), 400, detail);
  });

  it('given a lapsed key (the clock past its expiry), then EXPIRED', async () => {
    const { key, token } = await s.kg.mintKey(s.jwt, 'lapsing');
    s.kg.clock.advance(91 * DAY);

    expect((await s.verify({ key: token })).body).toEqual({ ...NOTHING, valid: false, code: 'EXPIRED', detail: 'The API key has expired.', keyId: key.id });
  });
});

describe('POST /api/verify: the caller is the host backend, with a service token', () => {
  const s = suite();

  it('accepts each configured service token', async () => {
    const { token } = await s.kg.mintKey(s.jwt, 'either token');
    expect((await s.verify({ key: token }, SERVICE_TOKEN)).body.code).toBe('VALID');
    expect((await s.verify({ key: token }, OTHER_SERVICE_TOKEN)).body.code).toBe('VALID');
  });

  it.each([
    ['no Authorization header', null, /Authorization: Bearer <service token>/],
    ['an unknown service token', 'svc-unknown-0123456789abcdefghijklmnopqrstuvwx', /not one of KEYGATE_SERVICE_TOKENS/],
    ['a configured token with one character changed', `${SERVICE_TOKEN.slice(0, -1)}Z`, /not one of KEYGATE_SERVICE_TOKENS/],
    ['a prefix of a configured token', SERVICE_TOKEN.slice(0, 20), /not one of KEYGATE_SERVICE_TOKENS/],
  ])('given %s, then 401 problem+json with a Bearer challenge', async (_, credential, detail) => {
    const { token } = await s.kg.mintKey(s.jwt, 'probe');
    const res = await s.verify({ key: token }, credential);
    expectProblem(res, 401, detail);
    expect(res.headers.get('www-authenticate')).toMatch(/^Bearer realm="keygate"/);
  });

  it("given a user's JWT (even root's) as the credential, then 401 saying a JWT cannot call verify", async () => {
    const { token } = await s.kg.mintKey(s.jwt, 'jwt probe');
    expectProblem(await s.verify({ key: token }, s.jwt), 401, /JWT cannot call verify/);
  });

  it('given an API key as the credential (even a live one, even verifying itself), then 401 saying keys cannot call verify; nothing recorded', async () => {
    const { key, token } = await s.kg.mintKey(s.jwt, 'key as credential');
    expectProblem(await s.verify({ key: token }, token), 401, /API keys cannot call verify/);
    expect(await s.uses(key.id)).toEqual([]);
  });

  it('describes the route, its body, its answer and its credential in the OpenAPI document', async () => {
    const doc = (await s.kg.api().get('/api/docs-json')).body;
    const op = doc.paths['/api/verify'].post;
    expect(op.security).toEqual([{ 'service-token': [] }]);
    expect(op.requestBody.content['application/json'].schema).toEqual({ $ref: '#/components/schemas/VerifyKeyBody' });
    expect(op.responses['200'].content['application/json'].schema).toEqual({ $ref: '#/components/schemas/VerifyKeyView' });
    expect(Object.keys(doc.components.schemas.VerifyKeyBody.properties).sort()).toEqual(['clientAddress', 'key', 'permissions', 'route']);
    expect(doc.components.schemas.VerifyKeyView.required).toEqual(
      expect.arrayContaining(['valid', 'code', 'keyId', 'userId', 'userName', 'companyId', 'permissions', 'expiresAt', 'ratelimit', 'replacedBy', 'overlapEndsAt']),
    );
    expect(doc.components.schemas.VerifyCode.enum).toContain('SUSPENDED');
  });
});

describe('POST /api/verify: the rate limit is the MCP endpoint\'s (one guard per process)', () => {
  const s = suite({ KEYGATE_RATE_LIMIT_PER_MINUTE: '3' });

  it('given verifies and MCP calls with one key, then they share its window: the 4th request is RATE_LIMITED, then it resets', async () => {
    const { key, token } = await s.kg.mintKey(s.jwt, 'limited');
    expect((await s.verify({ key: token })).body).toMatchObject({ code: 'VALID', ratelimit: { limit: 3, remaining: 2 } });
    expect((await mcpRaw(s.kg.url, { token, body: callRequest('whoami') })).status).toBe(200);
    expect((await s.verify({ key: token })).body).toMatchObject({ code: 'VALID', ratelimit: { limit: 3, remaining: 0 } });

    const limited = await s.verify({ key: token, route: 'orders.list' });

    expect(limited.status).toBe(200);
    expect(limited.body).toEqual({
      ...NOTHING,
      valid: false,
      code: 'RATE_LIMITED',
      detail: 'Rate limit of 3 requests per minute reached for this API key.',
      ratelimit: { limit: 3, remaining: 0, resetAt: new Date(s.kg.clock.now().getTime() + 60_000).toISOString() },
      retryAfterSeconds: 60,
    });
    // The MCP endpoint sees the same spent window.
    expect((await mcpRaw(s.kg.url, { token, body: callRequest('whoami') })).status).toBe(429);
    // A refused verify is not a use: two verifies and one tools/call recorded.
    const uses = await s.uses(key.id);
    expect(uses.reduce((n, u) => n + (u.count ?? 0), 0)).toBe(3);

    s.kg.clock.advance(60_000);
    expect((await s.verify({ key: token })).body).toMatchObject({ code: 'VALID', ratelimit: { remaining: 2 } });
  });

  it('given wrong secrets from one end-client address, then that address is throttled (RATE_LIMITED) and another is not', async () => {
    const { key, token } = await s.kg.mintKey(s.jwt, 'budget');
    const wrong = mintToken(key.id).token;
    // KEYGATE_AUTH_FAILURES_PER_MINUTE defaults to 20.
    for (let i = 0; i < 20; i++) expect((await s.verify({ key: wrong, clientAddress: '203.0.113.9' })).body.code).toBe('INVALID');

    const throttled = await s.verify({ key: token, clientAddress: '203.0.113.9' });
    expect(throttled.body).toMatchObject({ code: 'RATE_LIMITED', ratelimit: null, retryAfterSeconds: expect.any(Number) });
    expect((await s.verify({ key: token, clientAddress: '198.51.100.4' })).body.code).toBe('VALID');
  }, 60_000);
});

describe('POST /api/verify without KEYGATE_SERVICE_TOKENS', () => {
  let kg: Keygate;
  beforeAll(async () => {
    kg = await bootKeygate();
  });
  afterAll(async () => {
    await kg?.close();
  });

  it('answers 404 problem+json naming the setting, whatever the credential', async () => {
    for (const authorization of [{}, { authorization: 'Bearer anything-at-all-0123456789abcdefghijklmnop' }] as Record<string, string>[]) {
      const res = await kg.api().request('POST', '/api/verify', { body: JSON.stringify({ key: 'kg_x' }), headers: { 'content-type': 'application/json', ...authorization } });
      expectProblem(res, 404, /KEYGATE_SERVICE_TOKENS/);
    }
  });
});
