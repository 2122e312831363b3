import {
  bootKeygate,
  DAY,
  editor,
  expectProblem,
  iso,
  KEY_VIEW_FIELDS,
  MINUTE,
  plainUser,
  root,
  secretOf,
  signJwt,
  types,
  type Keygate,
} from '#test-support/keygate-harness';

// The REST contract of the settings page: acknowledge, mint, list, revoke, delete, expire.
describe('keys lifecycle (REST contract)', () => {
  let kg: Keygate;
  let alice: string; // root of acme
  let t0: number;

  beforeEach(async () => {
    kg = await bootKeygate({ env: { KEYGATE_MAX_REQUEST_BYTES: '4096' } });
    alice = await signJwt(root('alice', 'acme'));
    t0 = kg.clock.now().getTime();
  });
  afterEach(() => kg.close());

  describe('acknowledge and mint', () => {
    it('POST /api/keys/acknowledgements answers 201 with an id, the six-sentence notice and a 15-minute expiry', async () => {
      const res = await kg.api(alice).post('/api/keys/acknowledgements');

      expect(res.status).toBe(201);
      expect(Object.keys(res.body).sort()).toEqual(['acknowledgementId', 'expiresAt', 'notice']);
      expect(res.body.acknowledgementId).toMatch(/^ack_[0-9A-Za-z]{20}$/);
      expect(res.body.expiresAt).toBe(iso(t0 + 15 * MINUTE));
      expect(res.body.notice).toHaveLength(6);
      for (const sentence of res.body.notice) expect(sentence).toEqual(expect.stringMatching(/\S/));
      expect(res.body.notice.join(' ')).toContain('90 days');

      const again = await kg.api(alice).post('/api/keys/acknowledgements');
      expect(again.body.acknowledgementId).not.toBe(res.body.acknowledgementId);
    });

    it('POST /api/keys answers 201 with exactly the KeyView fields and a token carrying the key id', async () => {
      const acknowledgementId = await kg.acknowledge(alice);
      const res = await kg.api(alice).post('/api/keys', { acknowledgementId, label: 'Cursor on my laptop' });

      expect(res.status).toBe(201);
      expect(Object.keys(res.body).sort()).toEqual(['key', 'setup', 'token']);
      const { key, token } = res.body;
      expect(Object.keys(key).sort()).toEqual(KEY_VIEW_FIELDS);
      expect(key).toEqual({
        id: expect.stringMatching(/^[0-9A-Za-z]{12}$/),
        label: 'Cursor on my laptop',
        prefix: `kg_${key.id}`,
        userId: 'alice',
        userName: 'Alice',
        createdAt: iso(t0),
        lastUsedAt: null,
        expiresAt: iso(t0 + 90 * DAY),
        status: 'active',
        permissions: [],
        expiresSoon: false,
        rotatedFrom: null,
        replacedBy: null,
        overlapEndsAt: null,
        revocationReason: null,
        canRotate: true,
      });
      expect(token.startsWith(`kg_${key.id}_`)).toBe(true);
      expect(token).toMatch(/^kg_[0-9A-Za-z]{12}_[0-9A-Za-z]{30}$/);

      // The list shows the same view, field for field.
      const list = await kg.api(alice).get('/api/keys');
      expect(list.status).toBe(200);
      expect(list.body).toEqual({ items: [key], nextCursor: null });
    });

    it('the mint response carries ready-to-paste setup for each MCP client, with this key and the public URL', async () => {
      const acknowledgementId = await kg.acknowledge(alice);
      const { body } = await kg.api(alice).post('/api/keys', { acknowledgementId, label: 'setup' });
      const { token, setup } = body;
      const url = `${kg.keygate.runtime.config.publicUrl}/api/mcp`;
      expect(setup.claudeCode).toBe(`claude mcp add --transport http keygate ${url} --header "Authorization: Bearer ${token}"`);
      expect(setup.codex).toContain(`url = "${url}"`);
      expect(setup.codex).toContain('bearer_token_env_var = "KEYGATE_API_KEY"');
      expect(setup.codex.split('\n').filter((l: string) => !l.startsWith('#')).join('\n')).not.toContain(token);
      expect(JSON.parse(setup.cursor)).toEqual({ mcpServers: { keygate: { url, headers: { Authorization: `Bearer ${token}` } } } });
      expect(JSON.parse(setup.windsurf)).toEqual({ mcpServers: { keygate: { serverUrl: url, headers: { Authorization: `Bearer ${token}` } } } });
      expect(setup.generic).toEqual({ url, transport: 'Streamable HTTP', authentication: 'Bearer token in the Authorization header', key: token });
      // VS Code: the key is prompted and kept in its secret storage, never in the file.
      expect(JSON.parse(setup.vscode)).toEqual({
        servers: { keygate: { type: 'http', url, headers: { Authorization: 'Bearer ${input:keygate-api-key}' } } },
        inputs: [{ id: 'keygate-api-key', type: 'promptString', description: 'Keygate API key', password: true }],
      });
      expect(setup.vscode).not.toContain(token);
      // Claude Code through .mcp.json: ${KEYGATE_API_KEY} expanded by the client; the key in neither file nor history.
      const claudeJson = JSON.parse(setup.claudeCodeEnv.split('\n').filter((l: string) => !l.startsWith('#')).join('\n'));
      expect(claudeJson).toEqual({ mcpServers: { keygate: { type: 'http', url, headers: { Authorization: 'Bearer ${KEYGATE_API_KEY}' } } } });
      expect(setup.claudeCodeEnv).not.toContain(token);
      expect(setup.notes.join(' ')).toMatch(/plain text/);
      expect(setup.notes.join(' ')).toMatch(/ChatGPT/);
    });

    it('never shows the token again: not in the list, not in the activity feed, not in the SQLite file', async () => {
      const { key, token } = await kg.mintKey(alice, 'secret keeper');
      const secret = secretOf(token, key.id);
      expect(secret).toMatch(/^[0-9A-Za-z]{24}$/);
      await kg.api(alice).post(`/api/keys/${key.id}/revoke`);

      const list = await kg.api(alice).get('/api/keys');
      const feed = await kg.api(alice).get('/api/activity');
      expect(list.text).toContain(key.id); // the responses are about this key...
      expect(feed.text).toContain(key.id);
      for (const text of [list.text, feed.text]) {
        expect(text).not.toContain(token); // ...and never carry its token or secret
        expect(text).not.toContain(secret);
      }

      const stored = kg.storedBytes();
      expect(stored.includes(Buffer.from(`kg_${key.id}`))).toBe(true); // reading the right bytes
      expect(stored.includes(Buffer.from(secret))).toBe(false);
      expect(stored.includes(Buffer.from(token))).toBe(false);
    });

    it('labels: empty or missing gives "API Key Mon D, YYYY", trimmed, at most 100 code points, no control characters', async () => {
      const bob = await signJwt(root('bob', 'acme'));
      expect((await kg.mintKey(alice, '')).key.label).toBe('API Key May 10, 2026');
      expect((await kg.mintKey(alice)).key.label).toBe('API Key May 10, 2026');
      expect((await kg.mintKey(alice, '   ')).key.label).toBe('API Key May 10, 2026');
      expect((await kg.mintKey(bob, '  Claude Desktop  ')).key.label).toBe('Claude Desktop');
      expect((await kg.mintKey(bob, 'x'.repeat(100))).key.label).toBe('x'.repeat(100));
      // Counted in code points: 100 emoji (200 UTF-16 units) fit, 101 do not.
      expect((await kg.mintKey(bob, '🔑'.repeat(100))).key.label).toBe('🔑'.repeat(100));

      const acknowledgementId = await kg.acknowledge(bob);
      const tooLong = await kg.api(bob).post('/api/keys', { acknowledgementId, label: 'y'.repeat(101) });
      expectProblem(tooLong, 400, /101 characters.*100/);
      expectProblem(await kg.api(bob).post('/api/keys', { acknowledgementId, label: '🔑'.repeat(101) }), 400, /101 characters/);
      expectProblem(await kg.api(bob).post('/api/keys', { acknowledgementId, label: 'two\nlines' }), 400, /control characters/);
      expect((await kg.listKeys(alice)).map((k) => k.label)).not.toContain('y'.repeat(101));
    });

    it('rejects malformed mint requests with 400 and mints nothing', async () => {
      const bob = await signJwt(root('bob', 'acme'));
      const acknowledgementId = await kg.acknowledge(alice);
      const post = (body: unknown) => kg.api(alice).post('/api/keys', body);

      const unknownField = await post({ acknowledgementId, label: 'x', scopes: ['all'] });
      expectProblem(unknownField, 400, /property scopes should not exist/);
      expect(unknownField.body.errors).toEqual(['property scopes should not exist']);

      expectProblem(await post({ label: 'no acknowledgement' }), 400, /acknowledgementId/);
      expectProblem(await post({ acknowledgementId: 42 }), 400, /acknowledgementId/);
      expectProblem(await post({ acknowledgementId: 'ack_short' }), 400, /acknowledgementId/);
      expectProblem(await post({ acknowledgementId, label: 7 }), 400, /label/);
      expectProblem(await post({ acknowledgementId: `ack_${'A'.repeat(20)}` }), 400, /Unknown acknowledgementId/);
      // Someone else's acknowledgement is as unknown as a made-up one.
      expectProblem(await kg.api(bob).post('/api/keys', { acknowledgementId }), 400, /Unknown acknowledgementId/);

      expect(await kg.listKeys(alice)).toEqual([]);
      // None of the refusals used the acknowledgement up.
      expect((await post({ acknowledgementId, label: 'finally' })).status).toBe(201);
    });

    it('an acknowledgement mints one key: using it again answers 409', async () => {
      const acknowledgementId = await kg.acknowledge(alice);
      expect((await kg.api(alice).post('/api/keys', { acknowledgementId, label: 'one' })).status).toBe(201);

      const reused = await kg.api(alice).post('/api/keys', { acknowledgementId, label: 'two' });
      expectProblem(reused, 409, /already used/);
      expect((await kg.listKeys(alice)).map((k) => k.label)).toEqual(['one']);
    });

    it('an acknowledgement is good for 15 minutes', async () => {
      const fresh = await kg.acknowledge(alice);
      kg.clock.advance(14 * MINUTE);
      expect((await kg.api(alice).post('/api/keys', { acknowledgementId: fresh })).status).toBe(201);

      const stale = await kg.acknowledge(alice);
      kg.clock.advance(15 * MINUTE + 1000);
      const res = await kg.api(alice).post('/api/keys', { acknowledgementId: stale, label: 'too late' });
      expectProblem(res, 400, /older than 15 minutes/);
      expect(await kg.listKeys(alice)).toHaveLength(1);
    });
  });

  describe('list', () => {
    it('GET /api/keys lists newest first', async () => {
      for (const label of ['first', 'second', 'third']) {
        await kg.mintKey(alice, label);
        kg.clock.advance(MINUTE);
      }
      const items = await kg.listKeys(alice);
      expect(items.map((k) => [k.label, k.createdAt])).toEqual([
        ['third', iso(t0 + 2 * MINUTE)],
        ['second', iso(t0 + MINUTE)],
        ['first', iso(t0)],
      ]);
      for (const item of items) expect(Object.keys(item).sort()).toEqual(KEY_VIEW_FIELDS);
    });
  });

  describe('revoke and delete', () => {
    it('revoke answers 200 with the revoked key; a second revoke answers 409 and records nothing', async () => {
      const { key } = await kg.mintKey(alice, 'to revoke');
      kg.clock.advance(MINUTE);

      const res = await kg.api(alice).post(`/api/keys/${key.id}/revoke`);
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ key: { ...key, status: 'revoked', canRotate: false } });

      expectProblem(await kg.api(alice).post(`/api/keys/${key.id}/revoke`), 409, /already revoked/);
      expect((await kg.listKeys(alice)).map((k) => [k.id, k.status])).toEqual([[key.id, 'revoked']]);

      const history = await kg.activity(alice, { keyId: key.id });
      expect(types(history)).toEqual(['KeyRevoked', 'KeyMinted', 'KeyAcknowledged']);
      expect(history[0]).toMatchObject({ keyId: key.id, actorUserId: 'alice', at: iso(t0 + MINUTE), keyLabel: 'to revoke' });
    });

    it('delete: 409 while active, 403 for a non-root settings:edit holder, 204 for root; the history stays', async () => {
      const carol = await signJwt(editor('carol', 'acme'));
      const { key } = await kg.mintKey(alice, 'to delete');
      const { key: other } = await kg.mintKey(alice, 'stays');

      expectProblem(await kg.api(alice).delete(`/api/keys/${key.id}`), 409, /active; revoke it/);
      expect((await kg.api(alice).post(`/api/keys/${key.id}/revoke`)).status).toBe(200);
      expectProblem(await kg.api(carol).delete(`/api/keys/${key.id}`), 403, /Only root users/);
      expect((await kg.listKeys(alice)).map((k) => k.id)).toEqual([other.id, key.id]);

      const res = await kg.api(alice).delete(`/api/keys/${key.id}`);
      expect(res.status).toBe(204);
      expect(res.text).toBe('');

      expect((await kg.listKeys(alice)).map((k) => k.id)).toEqual([other.id]);
      expectProblem(await kg.api(alice).delete(`/api/keys/${key.id}`), 404);
      expectProblem(await kg.api(alice).post(`/api/keys/${key.id}/revoke`), 404);

      const history = await kg.activity(alice, { keyId: key.id });
      expect(types(history)).toEqual(['KeyDeleted', 'KeyRevoked', 'KeyMinted', 'KeyAcknowledged']);
      expect(history[0]).toMatchObject({ actorUserId: 'alice', keyLabel: 'to delete' });
      expect(types(await kg.activity(alice)).filter((t) => t === 'KeyDeleted')).toHaveLength(1);
    });

    it('a plain user cannot delete even their own revoked key (403)', async () => {
      const dave = await signJwt(plainUser('dave', 'acme'));
      const { key } = await kg.mintKey(dave, 'mine');
      expect((await kg.api(dave).post(`/api/keys/${key.id}/revoke`)).status).toBe(200);
      expectProblem(await kg.api(dave).delete(`/api/keys/${key.id}`), 403);
      expect((await kg.listKeys(dave)).map((k) => k.status)).toEqual(['revoked']);
    });

    it('an id that is not a key id, or no key, answers 404', async () => {
      expectProblem(await kg.api(alice).post('/api/keys/not-a-key/revoke'), 404, /No API key/);
      expectProblem(await kg.api(alice).post('/api/keys/AAAAAAAAAAAA/revoke'), 404, /No API key/);
      expectProblem(await kg.api(alice).delete('/api/keys/AAAAAAAAAAAA'), 404, /No API key/);
    });
  });

  describe('expiry', () => {
    it('a key past expiresAt lists as expired at once; the sweeper records KeyExpired once', async () => {
      const { key } = await kg.mintKey(alice, 'short lived');
      kg.clock.advance(DAY);
      const { key: later } = await kg.mintKey(alice, 'minted a day later');

      kg.clock.current = new Date(Date.parse(key.expiresAt) - 1);
      expect((await kg.listKeys(alice)).map((k) => k.status)).toEqual(['active', 'active']);

      kg.clock.current = new Date(Date.parse(key.expiresAt) + 1000);
      const byId = Object.fromEntries((await kg.listKeys(alice)).map((k) => [k.id, k.status]));
      expect(byId).toEqual({ [key.id]: 'expired', [later.id]: 'active' });
      expect(types(await kg.activity(alice))).not.toContain('KeyExpired'); // nothing recorded yet

      expect((await kg.keygate.sweeper.sweepOnce()).expired).toBe(1);
      const expired = (await kg.activity(alice)).filter((e) => e.type === 'KeyExpired');
      expect(expired).toEqual([
        expect.objectContaining({ keyId: key.id, actorUserId: 'system', at: iso(Date.parse(key.expiresAt) + 1000) }),
      ]);
      expect((await kg.keygate.sweeper.sweepOnce()).expired).toBe(0);
      expect((await kg.activity(alice)).filter((e) => e.type === 'KeyExpired')).toHaveLength(1);

      // Expired is final: nothing to revoke, but root may delete it.
      expect((await kg.listKeys(alice)).find((k) => k.id === key.id)?.status).toBe('expired');
      expectProblem(await kg.api(alice).post(`/api/keys/${key.id}/revoke`), 409, /expired/);
      expect((await kg.api(alice).delete(`/api/keys/${key.id}`)).status).toBe(204);
      expect((await kg.listKeys(alice)).map((k) => k.id)).toEqual([later.id]);
    });

    it('deleting a lapsed key before the sweep records KeyExpired before KeyDeleted', async () => {
      const { key } = await kg.mintKey(alice, 'lapsed');
      kg.clock.advance(90 * DAY);

      expect((await kg.api(alice).delete(`/api/keys/${key.id}`)).status).toBe(204);
      expect(types(await kg.activity(alice, { keyId: key.id }))).toEqual([
        'KeyDeleted',
        'KeyExpired',
        'KeyMinted',
        'KeyAcknowledged',
      ]);
      expect((await kg.keygate.sweeper.sweepOnce()).expired).toBe(0);
      expect(await kg.listKeys(alice)).toEqual([]);
    });
  });

  describe('errors', () => {
    it('every error is application/problem+json with type, title, status and detail', async () => {
      const { key } = await kg.mintKey(alice, 'e');
      const anon = kg.api();
      const json = { 'content-type': 'application/json' };
      const cases = [
        [401, await anon.get('/api/keys')],
        [400, await kg.api(alice).post('/api/keys', { nope: true })],
        [400, await kg.api(alice).request('POST', '/api/keys', { body: '{"acknowledgementId":', headers: json })],
        [400, await kg.api(alice).get('/api/activity?limit=0')],
        [403, await kg.api(await signJwt(editor('carol', 'acme'))).delete(`/api/keys/${key.id}`)],
        [404, await kg.api(alice).get('/api/nowhere')],
        [404, await kg.api(alice).post('/api/keys/AAAAAAAAAAAA/revoke')],
        [409, await kg.api(alice).delete(`/api/keys/${key.id}`)],
        [413, await kg.api(alice).request('POST', '/api/keys', { body: JSON.stringify({ label: 'z'.repeat(5000) }), headers: json })],
        [415, await kg.api(alice).request('POST', '/api/keys', { body: 'label=x', headers: { 'content-type': 'text/csv' } })],
      ] as const;
      for (const [status, res] of cases) {
        expectProblem(res, status);
        expect(res.body.instance).toBe(`urn:keygate:request:${res.headers.get('x-request-id')}`);
      }
    });

    it('echoes a plain client request id and names the problem after it; replaces anything else', async () => {
      const kept = await kg.api().request('GET', '/api/keys', { headers: { 'x-request-id': 'trace-42.a_b' } });
      expect(kept.headers.get('x-request-id')).toBe('trace-42.a_b');
      expect(kept.body.instance).toBe('urn:keygate:request:trace-42.a_b');

      const replaced = await kg.api().request('GET', '/api/keys', { headers: { 'x-request-id': 'two words!' } });
      expect(replaced.headers.get('x-request-id')).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    });
  });
});
