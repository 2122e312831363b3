import { bootKeygate, DAY, expectProblem, ids, plainUser, root, signJwt, type Keygate, type KeyView } from '#test-support/keygate-harness';

// GET /api/keys: filters, pages newest first, and the same visibility as before; every route refuses a query
// parameter it does not declare.
describe('keys list: filters and paging', () => {
  let kg: Keygate;
  let ruth: string;
  let pam: string;
  let keys: KeyView[]; // newest first

  beforeAll(async () => {
    kg = await bootKeygate({ env: { KEYGATE_KEY_TTL_DAYS: '30' } });
    ruth = await signJwt(root('ruth', 'acme'));
    pam = await signJwt(plainUser('pam', 'acme'));
    const minted: KeyView[] = [];
    for (const [who, label] of [[pam, 'p1'], [ruth, 'r1'], [pam, 'p2'], [ruth, 'r2'], [pam, 'p3']] as const) {
      minted.push((await kg.mintKey(who, label)).key);
      kg.clock.advance(1000);
    }
    keys = minted.reverse();
    expect((await kg.api(ruth).post(`/api/keys/${keys[1].id}/revoke`)).status).toBe(200); // r2
    // p1 and r1 were minted first; a key minted later lives on: move the clock past their expiry only.
    kg.clock.advance(30 * DAY - 3500); // now = the first mint + 30 days + 1.5 s
  });
  afterAll(() => kg.close());

  const list = async (token: string, query: string) => {
    const res = await kg.api(token).get(`/api/keys${query}`);
    expect(res.status).toBe(200);
    return res.body as { items: KeyView[]; nextCursor: string | null };
  };

  it('pages newest first by the cursor, never repeating a key, to the end', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page = await list(ruth, `?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      seen.push(...ids(page.items));
      cursor = page.nextCursor;
      pages += 1;
    } while (cursor);
    expect(seen).toEqual(ids(keys));
    expect(pages).toBe(3);
  });

  it('filters by effective status (a lapsed key is expired before KeyExpired) and by creator', async () => {
    const labels = async (query: string, token = ruth) => (await list(token, query)).items.map((k) => k.label);
    expect(await labels('?status=revoked')).toEqual(['r2']);
    expect(await labels('?status=expired')).toEqual(['r1', 'p1']);
    expect(await labels('?status=active')).toEqual(['p3', 'p2']);
    expect(await labels('?userId=pam')).toEqual(['p3', 'p2', 'p1']);
    expect(await labels('?userId=pam&status=active&limit=1')).toEqual(['p3']);
    // A plain user sees their own whatever the filter says.
    expect(await labels('', pam)).toEqual(['p3', 'p2', 'p1']);
    expect(await labels('?userId=ruth', pam)).toEqual([]);
  });

  it('refuses bad values and unknown parameters on every route, as problem+json', async () => {
    expectProblem(await kg.api(ruth).get('/api/keys?status=lost'), 400, /status/);
    expectProblem(await kg.api(ruth).get('/api/keys?limit=0'), 400);
    expectProblem(await kg.api(ruth).get('/api/keys?cursor=bm9wZQ'), 400, /cursor/);
    expectProblem(await kg.api(ruth).get('/api/keys?sort=label'), 400, /sort/);
    expectProblem(await kg.api(ruth).post('/api/keys/acknowledgements?force=1'), 400, /force/);
    expectProblem(await kg.api(ruth).post(`/api/keys/${keys[0].id}/revoke?key=kg_x`), 400, /no query parameters/);
    expectProblem(await kg.api(ruth).delete(`/api/keys/${keys[1].id}?hard=true`), 400, /hard/);
    // Nothing was done by the refused calls.
    expect((await list(ruth, '?status=active')).items.map((k) => k.label)).toEqual(['p3', 'p2']);
  });
});
