import {
  bootKeygate, DAY, editor, expectProblem, MINUTE, plainUser, root, signJwt, types, type Keygate, type KeyView,
} from '#test-support/keygate-harness';

// Issue 15 through the settings API on a real server (SQLite file, argon2), with an injected clock:
// rotation, suspension, offboarding, narrower keys and expiry warnings. What the MCP guard does with them is in
// mcp-key-care.e2e-spec.ts.

const HOUR = 60 * MINUTE;

describe('keys that live well (settings API)', () => {
  let kg: Keygate;
  let alice: string;
  let bob: string;
  let boss: string;
  let admin: string;
  let dana: string;

  beforeEach(async () => {
    kg = await bootKeygate();
    [alice, bob, boss, admin, dana] = await Promise.all([
      signJwt(plainUser('alice', 'acme')),
      signJwt(plainUser('bob', 'acme')),
      signJwt(root('boss', 'acme')),
      signJwt(editor('admin', 'acme')),
      signJwt({ sub: 'dana', company: 'acme', role: 'user', permissions: ['orders:read', 'orders:write', 'settings:view'] }),
    ]);
  });
  afterEach(() => kg.close());

  const byId = async (token: string) => Object.fromEntries((await kg.listKeys(token)).map((k) => [k.id, k])) as Record<string, KeyView>;

  describe('rotate', () => {
    it('gives a new key (token once) with the same label and permissions; the old one works until the overlap ends, then reads revoked', async () => {
      const { key: old } = await kg.mintKey(alice, 'Cursor');
      kg.clock.advance(DAY);
      const res = await kg.api(alice).post(`/api/keys/${old.id}/rotate`, { overlapSeconds: 3600 });
      expect(res.status).toBe(201);
      const { key, token, setup, previous } = res.body;
      expect(token).toMatch(new RegExp(`^kg_${key.id}_`));
      expect(setup.claudeCode).toContain(token);
      expect(key).toMatchObject({ label: 'Cursor', status: 'active', rotatedFrom: old.id, userId: 'alice', permissions: ['settings:view'] });
      expect(Date.parse(key.expiresAt) - kg.clock.now().getTime()).toBe(90 * DAY);
      const endsAt = new Date(kg.clock.now().getTime() + HOUR).toISOString();
      expect(previous).toMatchObject({ id: old.id, status: 'active', replacedBy: key.id, overlapEndsAt: endsAt });

      // The token appears nowhere but in that answer.
      expect((await kg.api(alice).get('/api/keys')).text).not.toContain(token);

      kg.clock.advance(HOUR - 1);
      expect((await byId(alice))[old.id].status).toBe('active');
      kg.clock.advance(1);
      expect((await byId(alice))[old.id]).toMatchObject({ status: 'revoked', revocationReason: 'rotated' });

      // The sweeper writes the revocation once, as the system.
      expect((await kg.keygate.sweeper.sweepOnce()).retired).toBe(1);
      expect((await kg.keygate.sweeper.sweepOnce()).retired).toBe(0);
      const history = await kg.activity(alice, { keyId: old.id });
      expect(types(history)).toEqual(['KeyRevoked', 'KeyRotated', 'KeyMinted', 'KeyAcknowledged']);
      expect(history[0]).toMatchObject({ actorUserId: 'system' });
    });

    it('is allowed at the limit of 5 per user: the key being replaced stops counting', async () => {
      const keys = [];
      for (let i = 0; i < 5; i++) keys.push((await kg.mintKey(alice, `key ${i}`)).key);
      expect((await kg.api(alice).post(`/api/keys/${keys[0].id}/rotate`, {})).status).toBe(201);
      const ack = await kg.acknowledge(alice);
      expectProblem(await kg.api(alice).post('/api/keys', { acknowledgementId: ack }), 409, /already have 5 active/);
    });

    it("refuses root rotating a user's key (the token would act as the user), and lets root suspend it", async () => {
      const { key: old } = await kg.mintKey(alice, 'Codex');
      expectProblem(await kg.api(boss).post(`/api/keys/${old.id}/rotate`, { overlapSeconds: 0 }), 403, /Only the owner of API key .* can rotate it/);
      expect((await byId(alice))[old.id]).toMatchObject({ status: 'active', replacedBy: null });
      expect((await kg.api(boss).post(`/api/keys/${old.id}/suspend`)).status).toBe(200);
    });

    it('answers clearly: 404 for a key not yours, 409 twice, 400 for a bad overlap', async () => {
      const { key } = await kg.mintKey(alice, 'x');
      expectProblem(await kg.api(bob).post(`/api/keys/${key.id}/rotate`, {}), 404, /No API key/);
      expectProblem(await kg.api(alice).post(`/api/keys/${key.id}/rotate`, { overlapSeconds: 604801 }), 400, /overlapSeconds/);
      expectProblem(await kg.api(alice).post(`/api/keys/${key.id}/rotate`, { overlapSeconds: 'soon' }), 400, /overlapSeconds/);
      expect((await kg.api(alice).post(`/api/keys/${key.id}/rotate`, {})).status).toBe(201);
      expectProblem(await kg.api(alice).post(`/api/keys/${key.id}/rotate`, {}), 409, /already being replaced/);
    });
  });

  describe('suspend and resume', () => {
    it('suspends and resumes; a suspended key still counts and still expires', async () => {
      const { key } = await kg.mintKey(alice, 'pause me');
      const suspended = await kg.api(admin).post(`/api/keys/${key.id}/suspend`);
      expect(suspended.status).toBe(200);
      expect(suspended.body.key.status).toBe('suspended');
      expectProblem(await kg.api(alice).post(`/api/keys/${key.id}/suspend`), 409, /already suspended/);
      const resumed = await kg.api(alice).post(`/api/keys/${key.id}/resume`);
      expect(resumed.body.key.status).toBe('active');
      expectProblem(await kg.api(alice).post(`/api/keys/${key.id}/resume`), 409, /not suspended/);

      await kg.api(alice).post(`/api/keys/${key.id}/suspend`);
      expect((await kg.api(alice).get('/api/keys?status=suspended')).body.items.map((k: KeyView) => k.id)).toEqual([key.id]);
      kg.clock.advance(90 * DAY);
      expect((await byId(alice))[key.id].status).toBe('expired');
      expectProblem(await kg.api(alice).post(`/api/keys/${key.id}/resume`), 409, /expired/);
      expect((await kg.keygate.sweeper.sweepOnce()).expired).toBe(1);
      expect(types(await kg.activity(alice, { keyId: key.id })).slice(0, 4)).toEqual(['KeyExpired', 'KeySuspended', 'KeyResumed', 'KeySuspended']);
    });
  });

  describe('offboarding', () => {
    it("revokes exactly that user's live keys, one event each under one correlation id; root only", async () => {
      const a1 = (await kg.mintKey(alice, 'a1')).key;
      const a2 = (await kg.mintKey(alice, 'a2')).key;
      const a3 = (await kg.mintKey(alice, 'a3')).key;
      const b1 = (await kg.mintKey(bob, 'b1')).key;
      await kg.api(alice).post(`/api/keys/${a2.id}/suspend`);
      await kg.api(alice).post(`/api/keys/${a3.id}/revoke`);

      expectProblem(await kg.api(admin).post('/api/users/alice/keys/revoke'), 403, /Only root users/);
      expect((await kg.api(boss).post(`/api/users/${'x'.repeat(129)}/keys/revoke`)).status).toBe(414); // a path parameter's bound
      expectProblem(await kg.api(boss).post('/api/users/a%20b/keys/revoke'), 400, /userId/);

      const res = await kg.api(boss).post('/api/users/alice/keys/revoke');
      expect(res.status).toBe(200);
      expect(res.body.revoked.map((k: KeyView) => [k.id, k.status, k.revocationReason]).sort()).toEqual(
        [[a1.id, 'revoked', 'offboarded'], [a2.id, 'revoked', 'offboarded']].sort(),
      );
      const keys = await byId(boss);
      expect(keys[b1.id].status).toBe('active');
      // The log (the auditors' export): one KeyRevoked per key, under one correlation id.
      const exported = (await kg.api(boss).get('/api/audit/events')).text.split('\n').filter(Boolean).map((l) => JSON.parse(l));
      const revocations = exported.filter((r) => r.type === 'KeyRevoked' && r.data.reason === 'offboarded');
      expect(revocations.map((r) => r.data.keyId).sort()).toEqual([a1.id, a2.id].sort());
      expect(new Set(revocations.map((r) => r.data.correlationId)).size).toBe(1);
      expect((await kg.activity(boss)).filter((e) => e.type === 'KeyRevoked' && e.actorUserId === 'boss')).toHaveLength(2);

      expect((await kg.api(boss).post('/api/users/alice/keys/revoke')).body.revoked).toEqual([]);
    });
  });

  describe('narrower keys', () => {
    it('offers presets from the caller\'s permissions and mints a subset; a permission one lacks is 400', async () => {
      const presets = (await kg.api(dana).get('/api/keys/permission-presets')).body.presets;
      expect(presets.map((p: { id: string; permissions: string[] }) => [p.id, p.permissions])).toEqual([
        ['full', ['orders:read', 'orders:write', 'settings:view']],
        ['read-only', ['orders:read', 'settings:view']],
      ]);
      const readOnly = presets[1].permissions;
      const minted = await kg.api(dana).post('/api/keys', { acknowledgementId: await kg.acknowledge(dana), label: 'ro', permissions: readOnly });
      expect(minted.status).toBe(201);
      expect(minted.body.key.permissions).toEqual(['orders:read', 'settings:view']);

      const ack = await kg.acknowledge(dana);
      expectProblem(await kg.api(dana).post('/api/keys', { acknowledgementId: ack, permissions: ['orders:delete'] }), 400, /do not have: orders:delete/);
      expectProblem(await kg.api(dana).post('/api/keys', { acknowledgementId: ack, permissions: 'orders:read' }), 400, /permissions/);
      expectProblem(await kg.api(dana).post('/api/keys', { acknowledgementId: ack, permissions: Array(101).fill('orders:read') }), 400, /permissions/);
    });
  });

  describe('expiry warnings', () => {
    it('writes each warning once, 14, 7 and 1 days before, shows expiresSoon, and not again after a restart', async () => {
      const { key } = await kg.mintKey(alice, 'lapsing');
      const expiresAt = Date.parse(key.expiresAt);
      expect((await byId(alice))[key.id].expiresSoon).toBe(false);

      kg.clock.current = new Date(expiresAt - 14 * DAY);
      expect((await byId(alice))[key.id].expiresSoon).toBe(true);
      expect((await kg.keygate.sweeper.sweepOnce()).warned).toBe(1);
      expect((await kg.keygate.sweeper.sweepOnce()).warned).toBe(0);

      // Restart on the same file: the warning is not written again.
      const { dataDir, clock } = kg;
      await kg.close({ keepData: true });
      kg = await bootKeygate({ dataDir, clock });
      expect((await kg.keygate.sweeper.sweepOnce()).warned).toBe(0);

      kg.clock.current = new Date(expiresAt - 3 * DAY);
      expect((await kg.keygate.sweeper.sweepOnce()).warned).toBe(1);
      kg.clock.current = new Date(expiresAt - HOUR);
      expect((await kg.keygate.sweeper.sweepOnce()).warned).toBe(1);
      expect((await kg.keygate.sweeper.sweepOnce()).warned).toBe(0);

      const warnings = (await kg.activity(alice, { keyId: key.id })).filter((e) => e.type === 'KeyExpiring');
      expect(warnings.map((w) => w.detail)).toEqual([
        expect.stringMatching(/1 day/),
        expect.stringMatching(/7 days/),
        expect.stringMatching(/14 days/),
      ]);
    });
  });
});
