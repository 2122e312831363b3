import {
  bootKeygate,
  DAY,
  editor,
  expectProblem,
  ids,
  plainUser,
  root,
  signJwt,
  types,
  type ActivityEntry,
  type ApiResponse,
  type ActivityPage,
  type Keygate,
  type KeyView,
} from '#test-support/keygate-harness';

// Who sees and changes which keys: plain users their own, root and settings:edit the company's,
// and nobody another company's (which answers 404, never 403).
describe('visibility', () => {
  let kg: Keygate;
  let t: Record<'ruth' | 'eve' | 'pam' | 'pete' | 'gus' | 'gina', string>;
  let k: Record<'pam1' | 'pam2' | 'pete1' | 'eve1' | 'gus1' | 'gina1', KeyView>;

  beforeEach(async () => {
    kg = await bootKeygate();
    t = {
      ruth: await signJwt(root('ruth', 'acme')),
      eve: await signJwt(editor('eve', 'acme')),
      pam: await signJwt(plainUser('pam', 'acme')),
      pete: await signJwt(plainUser('pete', 'acme')),
      gus: await signJwt(root('gus', 'globex')),
      gina: await signJwt(plainUser('gina', 'globex')),
    };
    k = {
      pam1: (await kg.mintKey(t.pam, 'pam one')).key,
      gus1: (await kg.mintKey(t.gus, 'gus one')).key,
      pete1: (await kg.mintKey(t.pete, 'pete one')).key,
      pam2: (await kg.mintKey(t.pam, 'pam two')).key,
      gina1: (await kg.mintKey(t.gina, 'gina one')).key,
      eve1: (await kg.mintKey(t.eve, 'eve one')).key,
    };
  });
  afterEach(() => kg.close());

  const keyIdsOf = (entries: ActivityEntry[]) => [...new Set(entries.map((e) => e.keyId))].sort();
  const sorted = (...keys: KeyView[]) => ids(keys).sort();

  it('a plain user sees only their own keys, in the list and in the activity feed', async () => {
    expect(ids(await kg.listKeys(t.pam))).toEqual(ids([k.pam2, k.pam1]));
    expect(ids(await kg.listKeys(t.pete))).toEqual(ids([k.pete1]));

    const feed = await kg.activity(t.pam);
    expect(feed.map((e) => [e.type, e.keyId])).toEqual([
      ['KeyMinted', k.pam2.id],
      ['KeyAcknowledged', k.pam2.id],
      ['KeyMinted', k.pam1.id],
      ['KeyAcknowledged', k.pam1.id],
    ]);
    // Filters cannot widen the view.
    expect(await kg.activity(t.pam, { userId: 'pete' })).toEqual([]);
    expect(await kg.activity(t.pam, { keyId: k.pete1.id })).toEqual([]);

    // What others do to your key is part of your key's history.
    expect((await kg.api(t.ruth).post(`/api/keys/${k.pam1.id}/revoke`)).status).toBe(200);
    const [latest] = await kg.activity(t.pam);
    expect(latest).toMatchObject({ type: 'KeyRevoked', keyId: k.pam1.id, actorUserId: 'ruth' });
    expect(keyIdsOf(await kg.activity(t.pete))).toEqual([k.pete1.id]);
  });

  it.each(['ruth', 'eve'] as const)('%s (root or settings:edit) sees every key of the company and nothing else', async (who) => {
    expect(ids(await kg.listKeys(t[who]))).toEqual(ids([k.eve1, k.pam2, k.pete1, k.pam1]));
    const feed = await kg.activity(t[who]);
    expect(feed).toHaveLength(8);
    expect(keyIdsOf(feed)).toEqual(sorted(k.pam1, k.pam2, k.pete1, k.eve1));
  });

  it('a user without any permission may still mint, list and revoke their own keys', async () => {
    const nobody = await signJwt({ sub: 'nora', company: 'acme', role: 'user', permissions: [] });
    const { key } = await kg.mintKey(nobody, 'no permissions');
    expect(ids(await kg.listKeys(nobody))).toEqual([key.id]);
    expect((await kg.api(nobody).post(`/api/keys/${key.id}/revoke`)).status).toBe(200);
  });

  it('a plain user revoking a colleague\'s key gets 404; the creator and a settings:edit holder may revoke', async () => {
    expectProblem(await kg.api(t.pete).post(`/api/keys/${k.pam1.id}/revoke`), 404, /No API key/);
    expect((await kg.listKeys(t.pam)).find((x) => x.id === k.pam1.id)?.status).toBe('active');

    const own = await kg.api(t.pam).post(`/api/keys/${k.pam1.id}/revoke`);
    expect(own.status).toBe(200);
    expect(own.body.key).toEqual({ ...k.pam1, status: 'revoked', canRotate: false });

    const byEditor = await kg.api(t.eve).post(`/api/keys/${k.pete1.id}/revoke`);
    expect(byEditor.status).toBe(200);
    expect(byEditor.body.key.status).toBe('revoked');

    // A plain user's attempt to delete a colleague's (revoked) key is a 404 too, not a 403.
    expectProblem(await kg.api(t.pam).delete(`/api/keys/${k.pete1.id}`), 404);
  });

  it('another company\'s key is not found (404, never 403) and never listed', async () => {
    // gus (root of globex) against acme's keys, active and revoked.
    expectProblem(await kg.api(t.gus).post(`/api/keys/${k.pam1.id}/revoke`), 404, /No API key/);
    expect((await kg.api(t.ruth).post(`/api/keys/${k.pam1.id}/revoke`)).status).toBe(200);
    expectProblem(await kg.api(t.gus).post(`/api/keys/${k.pam1.id}/revoke`), 404, /No API key/);
    expectProblem(await kg.api(t.gus).delete(`/api/keys/${k.pam1.id}`), 404, /No API key/);
    expectProblem(await kg.api(t.gus).delete(`/api/keys/${k.pete1.id}`), 404, /No API key/);
    // ...and the other way round.
    expectProblem(await kg.api(t.ruth).post(`/api/keys/${k.gina1.id}/revoke`), 404, /No API key/);
    expectProblem(await kg.api(t.ruth).delete(`/api/keys/${k.gina1.id}`), 404, /No API key/);

    expect((await kg.listKeys(t.gus)).map((x) => [x.id, x.status])).toEqual([
      [k.gina1.id, 'active'],
      [k.gus1.id, 'active'],
    ]);
    expect(keyIdsOf(await kg.activity(t.gus))).toEqual(sorted(k.gus1, k.gina1));
    expect(await kg.activity(t.gus, { keyId: k.pam1.id })).toEqual([]);
    expect(await kg.activity(t.ruth, { keyId: k.gus1.id })).toEqual([]);
    expect(await kg.activity(t.ruth, { userId: 'gus' })).toEqual([]);
    expect(ids(await kg.listKeys(t.ruth))).not.toContain(k.gus1.id);

    // The acme key is still there for acme, revoked exactly once.
    expect(types(await kg.activity(t.ruth, { keyId: k.pam1.id }))).toEqual(['KeyRevoked', 'KeyMinted', 'KeyAcknowledged']);
  });

  it('activity filters by keyId and by acting userId', async () => {
    expect((await kg.api(t.eve).post(`/api/keys/${k.pam2.id}/revoke`)).status).toBe(200);

    const byKey = await kg.activity(t.ruth, { keyId: k.pam2.id });
    // The acknowledgement comes before the key has a label.
    expect(byKey.map((e) => [e.type, e.keyId, e.actorUserId, e.keyLabel])).toEqual([
      ['KeyRevoked', k.pam2.id, 'eve', 'pam two'],
      ['KeyMinted', k.pam2.id, 'pam', 'pam two'],
      ['KeyAcknowledged', k.pam2.id, 'pam', null],
    ]);

    const byEve = await kg.activity(t.ruth, { userId: 'eve' });
    expect(byEve.map((e) => [e.type, e.keyId])).toEqual([
      ['KeyRevoked', k.pam2.id],
      ['KeyMinted', k.eve1.id],
      ['KeyAcknowledged', k.eve1.id],
    ]);
    expect(await kg.activity(t.ruth, { keyId: k.pam2.id, userId: 'pete' })).toEqual([]);

    expectProblem(await kg.api(t.ruth).get('/api/activity?keyId=short'), 400, /keyId/);
  });

  it('the sweeper\'s KeyExpired shows in the owner\'s feed, attributed to "system"', async () => {
    kg.clock.advance(91 * DAY);
    expect((await kg.keygate.sweeper.sweepOnce()).expired).toBe(6); // both companies
    const [latest, ...rest] = await kg.activity(t.pete);
    expect(latest).toMatchObject({ type: 'KeyExpired', keyId: k.pete1.id, actorUserId: 'system', actorName: 'Keygate' });
    expect(types(rest)).toEqual(['KeyMinted', 'KeyAcknowledged']);
    expect(keyIdsOf(await kg.activity(t.ruth, { userId: 'system' }))).toEqual(sorted(k.pam1, k.pam2, k.pete1, k.eve1));
  });

  it('pagination with limit=2 walks the whole feed once, newest first', async () => {
    await kg.api(t.ruth).post(`/api/keys/${k.pete1.id}/revoke`);
    const whole = await kg.activity(t.ruth);
    expect(whole).toHaveLength(9);

    const walked: ActivityEntry[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res: ApiResponse<ActivityPage> = await kg.api(t.ruth).get(`/api/activity?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      expect(res.status).toBe(200);
      expect(res.body.items.length).toBeLessThanOrEqual(2);
      walked.push(...res.body.items);
      cursor = res.body.nextCursor;
      pages++;
    } while (cursor && pages < 20);

    expect(pages).toBe(5);
    expect(new Set(walked.map((e) => e.id)).size).toBe(walked.length);
    expect(walked).toEqual(whole);
  });

  it('a page that ends exactly at the last entry has no nextCursor', async () => {
    const res = await kg.api(t.pete).get<ActivityPage>('/api/activity?limit=2');
    expect(res.status).toBe(200);
    expect(res.body.items).toHaveLength(2);
    expect(res.body.nextCursor).toBeNull();
  });

  it('rejects a cursor it did not issue and an out-of-range limit with 400', async () => {
    expectProblem(await kg.api(t.ruth).get('/api/activity?cursor=garbage'), 400, /cursor/);
    expectProblem(await kg.api(t.ruth).get(`/api/activity?cursor=${Buffer.from('p-1').toString('base64url')}`), 400, /cursor/);
    expectProblem(await kg.api(t.ruth).get('/api/activity?limit=101'), 400, /limit/);
    expectProblem(await kg.api(t.ruth).get('/api/activity?limit=two'), 400, /limit/);
  });
});
