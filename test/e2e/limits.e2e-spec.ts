import {
  bootKeygate,
  DAY,
  expectProblem,
  MINUTE,
  plainUser,
  root,
  signJwt,
  times,
  types,
  type ApiResponse,
  type Keygate,
} from '#test-support/keygate-harness';

// The limits: 10 active keys per company, 5 per creator, held under concurrent mints.
describe('key limits', () => {
  let kg: Keygate;

  beforeEach(async () => {
    kg = await bootKeygate();
  });
  afterEach(() => kg.close());

  /** 10 users of acme, 3 acknowledgements each, taken before any mint so that the 30 mints themselves race. */
  const acknowledgedAttempts = async (acknowledgeOn: (i: number) => Keygate) => {
    const users = await Promise.all(times(10, (i) => signJwt(plainUser(`user${i}`, 'acme'))));
    const attempts: { token: string; acknowledgementId: string }[] = [];
    for (const token of users) {
      for (let n = 0; n < 3; n++) {
        attempts.push({ token, acknowledgementId: await acknowledgeOn(attempts.length).acknowledge(token) });
      }
    }
    return attempts;
  };

  /** Exactly 10 of the answers are 201, the others 409 naming the company limit; the list shows exactly those 10. */
  const expectExactlyTenMinted = async (results: ApiResponse[]) => {
    const created = results.filter((r) => r.status === 201);
    const refused = results.filter((r) => r.status !== 201);
    expect(created).toHaveLength(10);
    expect(refused).toHaveLength(results.length - 10);
    for (const res of refused) {
      expectProblem(res, 409, /limit of 10 per company/);
      expect(res.body.type).toBe('urn:keygate:problem:key-limit-reached');
    }
    const mintedIds = created.map((r) => r.body.key.id);
    expect(new Set(mintedIds).size).toBe(10);

    const all = await kg.listKeys(await signJwt(root('boss', 'acme')));
    expect(all).toHaveLength(10);
    expect(all.every((k) => k.status === 'active')).toBe(true);
    expect(all.map((k) => k.id).sort()).toEqual([...mintedIds].sort());
  };

  it('30 concurrent mints by 10 users of one company: exactly 10 succeed, 20 answer 409 naming the limit of 10', async () => {
    const attempts = await acknowledgedAttempts(() => kg);

    const results = await Promise.all(
      attempts.map(({ token, acknowledgementId }, i) => kg.api(token).post('/api/keys', { acknowledgementId, label: `race ${i}` })),
    );

    await expectExactlyTenMinted(results);
    // The refused mints left no trace: 30 acknowledgements and 10 mints, on one default page.
    const feed = await kg.api(await signJwt(root('boss', 'acme'))).get('/api/activity');
    expect(feed.body.items).toHaveLength(40);
    expect(feed.body.nextCursor).toBeNull();
    expect(types(feed.body.items).filter((t) => t === 'KeyMinted')).toHaveLength(10);

    // Another company is not affected by acme's limit.
    expect((await kg.mintKey(await signJwt(plainUser('zed', 'globex')))).key.status).toBe('active');
  });

  it('two apps sharing one data directory (two processes) still let exactly 10 through', async () => {
    const other = await bootKeygate({ dataDir: kg.dataDir, clock: kg.clock, pollIntervalMs: 20 });
    try {
      const apps = [kg, other];
      const attempts = await acknowledgedAttempts((i) => apps[i % 2]);
      // Each mint goes to the app that did not take its acknowledgement.
      const results = await Promise.all(
        attempts.map(({ token, acknowledgementId }, i) =>
          apps[(i + 1) % 2].api(token).post('/api/keys', { acknowledgementId, label: `race ${i}` }),
        ),
      );
      await expectExactlyTenMinted(results);
    } finally {
      await other.close({ keepData: true });
    }
  });

  it('one acknowledgement sent twice at once mints one key', async () => {
    const ann = await signJwt(plainUser('ann', 'acme'));
    const acknowledgementId = await kg.acknowledge(ann);
    const results = await Promise.all(times(2, (i) => kg.api(ann).post('/api/keys', { acknowledgementId, label: `twin ${i}` })));
    expect(results.map((r) => r.status).sort()).toEqual([201, 409]);
    expectProblem(results.find((r) => r.status === 409)!, 409, /already used/);
    expect(await kg.listKeys(ann)).toHaveLength(1);
  });

  it('two revokes at once: one 200, one 409, one KeyRevoked', async () => {
    const ann = await signJwt(plainUser('ann', 'acme'));
    const ruth = await signJwt(root('ruth', 'acme'));
    const { key } = await kg.mintKey(ann, 'contested');
    const results = await Promise.all([ann, ruth].map((t) => kg.api(t).post(`/api/keys/${key.id}/revoke`)));
    expect(results.map((r) => r.status).sort()).toEqual([200, 409]);
    expect(types(await kg.activity(ruth, { keyId: key.id })).filter((t) => t === 'KeyRevoked')).toHaveLength(1);
  });

  it('a creator may hold 5 active keys; after revoking one, the next mint succeeds', async () => {
    const ann = await signJwt(plainUser('ann', 'acme'));
    const keys = [];
    for (let i = 0; i < 5; i++) keys.push((await kg.mintKey(ann, `mine ${i}`)).key);

    const acknowledgementId = await kg.acknowledge(ann);
    const sixth = await kg.api(ann).post('/api/keys', { acknowledgementId, label: 'sixth' });
    expectProblem(sixth, 409, /5 active API keys, the limit of 5 per user/);
    expect(sixth.body.type).toBe('urn:keygate:problem:key-limit-reached');

    // Colleagues are counted separately.
    expect((await kg.mintKey(await signJwt(plainUser('ben', 'acme')))).key.userId).toBe('ben');

    expect((await kg.api(ann).post(`/api/keys/${keys[2].id}/revoke`)).status).toBe(200);
    // The refused mint did not use the acknowledgement up.
    const retry = await kg.api(ann).post('/api/keys', { acknowledgementId, label: 'sixth' });
    expect(retry.status).toBe(201);
    expect((await kg.listKeys(ann)).filter((k) => k.status === 'active')).toHaveLength(5);

    const acknowledgement = await kg.acknowledge(ann);
    expectProblem(await kg.api(ann).post('/api/keys', { acknowledgementId: acknowledgement }), 409, /limit of 5 per user/);
  });

  it('a 4th open acknowledgement answers 429 problem+json with Retry-After; using one frees a slot', async () => {
    const ann = await signJwt(plainUser('ann', 'acme'));
    const first = await kg.acknowledge(ann);
    kg.clock.advance(MINUTE);
    for (let i = 0; i < 2; i++) await kg.acknowledge(ann);
    kg.clock.advance(4 * MINUTE);

    const fourth = await kg.api(ann).post('/api/keys/acknowledgements');
    // The clock started at 12:00: the first acknowledgement lapses at 12:15, ten minutes from now.
    expectProblem(fourth, 429, /^You have 3 unused acknowledgements from the last 15 minutes; use one to create a key, or acknowledge again after 12:15 UTC\.$/);
    expect(fourth.body.type).toBe('urn:keygate:problem:too-many-acknowledgements');
    expect(fourth.headers.get('retry-after')).toBe('600');
    expect(Object.keys(fourth.body).sort()).toEqual(['detail', 'instance', 'status', 'title', 'type']);
    // A colleague is not affected.
    await kg.acknowledge(await signJwt(plainUser('ben', 'acme')));

    expect((await kg.api(ann).post('/api/keys', { acknowledgementId: first, label: 'used one' })).status).toBe(201);
    expect((await kg.api(ann).post('/api/keys/acknowledgements')).status).toBe(201);
  });

  it('expired keys stop counting the moment they lapse, before any sweep', async () => {
    const ann = await signJwt(plainUser('ann', 'acme'));
    for (let i = 0; i < 5; i++) await kg.mintKey(ann, `old ${i}`);
    const acknowledgementId = await kg.acknowledge(ann);
    expectProblem(await kg.api(ann).post('/api/keys', { acknowledgementId }), 409, /limit of 5/);

    kg.clock.advance(90 * DAY);
    expect((await kg.mintKey(ann, 'after expiry')).key.status).toBe('active');
  });
});
