import { SignJWT, UnsecuredJWT } from 'jose';
import { bootKeygate, expectProblem, JWT_SECRET, root, signJwt, type Identity, type Keygate } from '#test-support/keygate-harness';

// The settings API takes the host product's JWTs (HS256 with the configured secret) and nothing else.
describe('authentication', () => {
  let kg: Keygate;
  const alice = root('alice', 'acme');

  beforeAll(async () => {
    kg = await bootKeygate();
  });
  afterAll(() => kg.close());

  const expectUnauthorized = async (token: string | undefined, detail?: RegExp) => {
    const res = await kg.api(token).get('/api/keys');
    expectProblem(res, 401, detail);
    expect(res.headers.get('www-authenticate')).toBe('Bearer realm="keygate"');
  };

  it('accepts a valid JWT (the control for every refusal below)', async () => {
    const res = await kg.api(await signJwt(alice)).get('/api/keys');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ items: [], nextCursor: null });
  });

  it('without Authorization: 401 with WWW-Authenticate, on every settings route', async () => {
    await expectUnauthorized(undefined, /Authorization: Bearer/);
    const anon = kg.api();
    for (const res of [
      await anon.get('/api/activity'),
      await anon.post('/api/keys/acknowledgements'),
      await anon.post('/api/keys', { acknowledgementId: `ack_${'a'.repeat(20)}` }),
      await anon.post('/api/keys/AAAAAAAAAAAA/revoke'),
      await anon.delete('/api/keys/AAAAAAAAAAAA'),
    ]) {
      expectProblem(res, 401);
      expect(res.headers.get('www-authenticate')).toBe('Bearer realm="keygate"');
    }
  });

  it('refuses other schemes and a bearer without a token', async () => {
    const jwt = await signJwt(alice);
    for (const authorization of [`Basic ${Buffer.from('alice:pw').toString('base64')}`, 'Bearer', 'Bearer ', jwt, `Token ${jwt}`]) {
      const res = await kg.api().request('GET', '/api/keys', { headers: { authorization } });
      expectProblem(res, 401);
      expect(res.headers.get('www-authenticate')).toBe('Bearer realm="keygate"');
    }
  });

  it('refuses a real API key as bearer: a leaked key must not open the page that mints keys', async () => {
    const { token } = await kg.mintKey(await signJwt(alice), 'leaked');
    expect(token).toMatch(/^kg_/);
    await expectUnauthorized(token, /API keys cannot be used/);
    const ack = await kg.api(token).post('/api/keys/acknowledgements');
    expectProblem(ack, 401, /API keys cannot be used/);
  });

  it('refuses an expired JWT', async () => {
    const expired = await signJwt(alice, { expiresAt: Math.floor(Date.now() / 1000) - 60 });
    await expectUnauthorized(expired, /expired/);
  });

  it('refuses a JWT without an expiry: a token that never expires is never accepted', async () => {
    const forever = await new SignJWT({ company: 'acme', role: 'root', permissions: [] })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('alice')
      .sign(new TextEncoder().encode(JWT_SECRET));
    await expectUnauthorized(forever, /not a valid/);
  });

  it('refuses a JWT signed with another secret, or with another algorithm', async () => {
    await expectUnauthorized(await signJwt(alice, { secret: 'some-other-secret-of-sufficient-length-123456' }), /not a valid/);
    const hs512 = await new SignJWT({ company: 'acme', role: 'root', permissions: [] })
      .setProtectedHeader({ alg: 'HS512' })
      .setSubject('alice')
      .setExpirationTime('1h')
      .sign(new TextEncoder().encode(JWT_SECRET));
    await expectUnauthorized(hs512, /not a valid/);
  });

  it('refuses an unsigned JWT (alg none), also with its signature stripped from a good one', async () => {
    const none = new UnsecuredJWT({ company: 'acme', role: 'root', permissions: [] })
      .setSubject('alice')
      .setIssuedAt()
      .setExpirationTime('1h')
      .encode();
    expect(none.endsWith('.')).toBe(true);
    await expectUnauthorized(none, /not a valid/);

    const [header, payload] = (await signJwt(alice)).split('.');
    await expectUnauthorized(`${header}.${payload}.`);
  });

  it.each<[string, SignOptionsLike]>([
    ['no company claim', { omit: ['company'] }],
    ['no role claim', { omit: ['role'] }],
    ['no sub claim', { omit: ['sub'] }],
    ['a role that is neither root nor user', { who: { role: 'admin' as Identity['role'] } }],
    ['a company id with spaces', { who: { company: 'acme corp' } }],
  ])('refuses a JWT with %s', async (_, { omit, who }) => {
    await expectUnauthorized(await signJwt({ ...alice, ...who }, { omit }), /claim/);
  });

  it('refuses permissions that are not an array of strings', async () => {
    const jwt = await new SignJWT({ company: 'acme', role: 'user', permissions: 'settings:edit' })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('mallory')
      .setExpirationTime('1h')
      .sign(new TextEncoder().encode(JWT_SECRET));
    await expectUnauthorized(jwt, /permissions/);
  });

  it('a JWT without a name claim: the key is attributed to its sub', async () => {
    const { key } = await kg.mintKey(await signJwt(root('nameless', 'initech'), { omit: ['name'] }));
    expect(key).toMatchObject({ userId: 'nameless', userName: 'nameless' });
  });

  it('GET /health answers 200 and ready without credentials', async () => {
    const res = await kg.api().get('/health');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'ok', live: true, ready: true, store: 'up', projectionError: null });
    expect(res.body.projections.length).toBeGreaterThan(0);
    for (const p of res.body.projections) expect(p.lag).toBe(0);
  });

  it('GET /api/docs-json answers 200 with the OpenAPI document of the settings API', async () => {
    const res = await kg.api().get('/api/docs-json');
    expect(res.status).toBe(200);
    expect(res.body.openapi).toMatch(/^3\./);
    expect(Object.keys(res.body.paths)).toEqual(
      expect.arrayContaining(['/api/keys', '/api/keys/acknowledgements', '/api/keys/{id}/revoke', '/api/keys/{id}', '/api/activity', '/health']),
    );
    expect(Object.keys(res.body.paths['/api/keys']).sort()).toEqual(['get', 'post']);

    const ui = await kg.api().get('/api/docs');
    expect(ui.status).toBe(200);
    expect(ui.headers.get('content-type')).toMatch(/^text\/html/);
  });
});

type SignOptionsLike = { omit?: (keyof Identity)[]; who?: Partial<Identity> };
