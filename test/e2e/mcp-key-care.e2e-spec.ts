import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import {
  bootKeygate,
  settle,
  signJwt,
  type ActivityEntry,
  type Identity,
  type Keygate,
  type MintedKey,
} from '#test-support/keygate-harness';
import { callRequest, connectMcp, mcpRaw, parseBearerChallenge, rpc, toolJson, type RawResponse } from '#test-support/mcp-client';

// Issue 15 as the MCP endpoint and verify see it: narrower keys and the tools their permissions allow, suspension
// (refused at once, resumable) and rotation (the old token works through the overlap, saying it is being replaced,
// and is refused the first request after it). The app's clock is the harness's TestClock; no sweeper runs, so every
// refusal here is the guard's own reading of the clock, before any event of the system's.

const SERVICE_TOKEN = 'svc-e2e-key-care-0123456789abcdefghijklmnopqrstuv';
// The example product tool, list_clients (clients:read), is served only when named (`npm test` builds it into dist).
const ENV = { KEYGATE_TOOL_MODULES: './dist/examples/tools/list-clients.tool.js', KEYGATE_SERVICE_TOKENS: SERVICE_TOKEN };

const SECOND = 1000;
// clients:write: her full key is not read only (it may revoke through revoke_api_key); her read-only preset leaves it out.
const alice: Identity = { sub: 'alice', company: 'acme', role: 'user', permissions: ['settings:view', 'clients:read', 'clients:write'] };

type UseEntry = ActivityEntry & { tool?: string | null; count?: number; outcomes?: Record<'ok' | 'error' | 'denied', number> };

const suite = () => {
  const ctx = {
    kg: undefined as unknown as Keygate,
    jwt: '',
    clients: [] as Client[],
    async connect(token: string): Promise<Client> {
      const client = await connectMcp(ctx.kg.url, token);
      ctx.clients.push(client);
      return client;
    },
    /** A mint through the REST API, with `permissions` when given (a narrower key). */
    async mint(label: string, permissions?: string[]): Promise<MintedKey> {
      const acknowledgementId = await ctx.kg.acknowledge(ctx.jwt);
      const res = await ctx.kg.api(ctx.jwt).post('/api/keys', { acknowledgementId, label, ...(permissions ? { permissions } : {}) });
      expect(res.status).toBe(201);
      return res.body as MintedKey;
    },
    /** POST /api/keys/:id/<action> as Alice; the expected status checked. */
    async keyAction(keyId: string, action: 'suspend' | 'resume' | 'rotate', body: unknown, status: number) {
      const res = await ctx.kg.api(ctx.jwt).post(`/api/keys/${keyId}/${action}`, body);
      expect({ action, status: res.status, body: res.status === status ? undefined : res.body }).toEqual({ action, status, body: undefined });
      return res.body;
    },
    whoami: (token: string) => mcpRaw(ctx.kg.url, { token, body: callRequest('whoami') }),
    verify: async (key: string) =>
      (
        await ctx.kg.api().request('POST', '/api/verify', {
          body: JSON.stringify({ key }),
          headers: { 'content-type': 'application/json', authorization: `Bearer ${SERVICE_TOKEN}` },
        })
      ).body,
    async uses(keyId: string): Promise<UseEntry[]> {
      await settle(ctx.kg);
      return (await ctx.kg.activity(ctx.jwt, { keyId })).filter((e) => e.type === 'KeyUsed');
    },
  };
  beforeAll(async () => {
    ctx.kg = await bootKeygate({ env: { ...ENV, KEYGATE_MAX_KEYS_PER_USER: '50', KEYGATE_MAX_KEYS_PER_COMPANY: '50' } });
    ctx.jwt = await signJwt(alice);
  });
  afterAll(async () => {
    await Promise.all(ctx.clients.map((c) => c.close()));
    await ctx.kg?.close();
  });
  return ctx;
};

/** A 401 of the guard: problem+json, an invalid_token challenge, the description given. */
const expectRefused = (res: RawResponse, description: RegExp): void => {
  expect(res.status).toBe(401);
  expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json(;|$)/);
  expect(res.json.detail).toMatch(description);
  expect(parseBearerChallenge(res.headers.get('www-authenticate'))).toMatchObject({ error: 'invalid_token', error_description: expect.stringMatching(description) });
  // A refused key is not told of any replacement.
  expect(res.headers.get('keygate-key-replaced-by')).toBeNull();
};

const SUSPENDED = /^The API key is suspended; whoever manages it can resume it in the API key settings\.$/;
const ROTATED_OUT = /^The API key has been revoked: it was replaced by a newer key when it was rotated\.$/;

describe('MCP endpoint and narrower keys (issue 15)', () => {
  const s = suite();

  it("a narrowed key does not list a tool its creator's full key lists, and calling it is 403 insufficient_scope, recorded as denied", async () => {
    const full = await s.mint('Alice full');
    const narrow = await s.mint('Alice clients only', ['clients:read']);
    expect(narrow.key).toMatchObject({ permissions: ['clients:read'] });

    const names = async (token: string) => (await (await s.connect(token)).listTools()).tools.map((t) => t.name).sort();
    expect(await names(full.token)).toEqual(['get_activity', 'list_api_keys', 'list_clients', 'revoke_api_key', 'whoami']);
    expect(await names(narrow.token)).toEqual(['list_clients', 'whoami']);

    // The full key calls list_api_keys; the narrowed one is refused, with the permission the tool needs.
    expect(toolJson((await mcpRaw(s.kg.url, { token: full.token, body: callRequest('list_api_keys') })).json.result)).toMatchObject({
      items: expect.any(Array),
    });
    const refused = await mcpRaw(s.kg.url, { token: narrow.token, body: callRequest('list_api_keys'), headers: { 'user-agent': 'keygate-e2e/1.0.0' } });
    expect(refused.status).toBe(403);
    expect(refused.headers.get('content-type')).toMatch(/^application\/problem\+json(;|$)/);
    expect(refused.json).toMatchObject({
      type: 'urn:keygate:problem:insufficient-scope',
      status: 403,
      detail: expect.stringContaining('lacks the permission(s) the tool list_api_keys needs: settings:view.'),
    });
    expect(parseBearerChallenge(refused.headers.get('www-authenticate'))).toEqual({
      realm: 'keygate',
      error: 'insufficient_scope',
      scope: 'settings:view',
      error_description: refused.json.detail,
    });
    // Its rate headers are there as on any answered request; what it may call, it calls.
    expect(refused.headers.get('ratelimit-limit')).not.toBeNull();
    expect(toolJson((await mcpRaw(s.kg.url, { token: narrow.token, body: callRequest('list_clients') })).json.result)).toMatchObject({ companyId: 'acme' });

    expect((await s.uses(narrow.key.id)).find((u) => u.tool === 'list_api_keys')).toMatchObject({ count: 1, outcomes: { ok: 0, error: 0, denied: 1 } });
  });

  it('a read-only key lists and calls the reading tools but is refused revoke_api_key (it writes), though it holds settings:view', async () => {
    const target = await s.mint('Alice target');
    const presets = (await s.kg.api(s.jwt).get("/api/keys/permission-presets")).body as { presets: { id: string; permissions: string[] }[] };
    const readOnly = presets.presets.find((p) => p.id === 'read-only')!;
    expect(readOnly.permissions).toEqual(['settings:view', 'clients:read']);
    const reader = await s.mint('Alice read only', readOnly.permissions);

    // tools/list carries each tool's MCP annotations; the read-only key is not offered the one that writes.
    const listed = (await (await s.connect(reader.token)).listTools()).tools;
    expect(listed.map((t) => [t.name, t.annotations?.readOnlyHint]).sort()).toEqual([
      ['get_activity', true],
      ['list_api_keys', true],
      ['list_clients', true],
      ['whoami', true],
    ]);
    const fullListed = (await (await s.connect(target.token)).listTools()).tools;
    expect(fullListed.find((t) => t.name === 'revoke_api_key')?.annotations).toMatchObject({ readOnlyHint: false, destructiveHint: true });

    const refused = await mcpRaw(s.kg.url, { token: reader.token, body: callRequest('revoke_api_key', { keyId: target.key.id }) });
    expect(refused.status).toBe(403);
    expect(refused.json).toMatchObject({ type: 'urn:keygate:problem:insufficient-scope', detail: expect.stringContaining('is read only') });
    // No permission would do (only a key that is not read only), so the challenge names no scope.
    expect(parseBearerChallenge(refused.headers.get('www-authenticate'))).toEqual({
      realm: 'keygate',
      error: 'insufficient_scope',
      error_description: refused.json.detail,
    });
    expect((await s.whoami(target.token)).status).toBe(200);
    expect((await s.uses(reader.key.id)).find((u) => u.tool === 'revoke_api_key')).toMatchObject({ outcomes: { ok: 0, error: 0, denied: 1 } });

    // The reading tools still answer it; the full key still revokes.
    expect(toolJson((await mcpRaw(s.kg.url, { token: reader.token, body: callRequest('list_api_keys') })).json.result)).toMatchObject({ items: expect.any(Array) });
    const revoked = await mcpRaw(s.kg.url, { token: target.token, body: callRequest('revoke_api_key', { keyId: reader.key.id }) });
    expect(toolJson(revoked.json.result)).toMatchObject({ key: { id: reader.key.id, status: 'revoked' } });
  });

  it('suspend: 401 saying so at once (MCP and verify), still listed; resume: 200 at once', async () => {
    const { key, token } = await s.mint('to suspend');
    expect((await s.whoami(token)).status).toBe(200);

    await s.keyAction(key.id, 'suspend', undefined, 200);

    expectRefused(await s.whoami(token), SUSPENDED);
    expect(await s.verify(token)).toMatchObject({ valid: false, code: 'SUSPENDED', keyId: key.id, detail: expect.stringMatching(SUSPENDED) });

    await s.keyAction(key.id, 'resume', undefined, 200);

    const back = await s.whoami(token);
    expect(back.status).toBe(200);
    expect(back.json.result.structuredContent).toMatchObject({ keyId: key.id });
    expect(await s.verify(token)).toMatchObject({ valid: true, code: 'VALID', replacedBy: null, overlapEndsAt: null });
  });

  it('rotate, then revoke the replacement: the old token still works until the overlap ends, with Sunset but no longer naming the dead key', async () => {
    const { key: old, token: oldToken } = await s.mint('rotate then revoke the new one');
    const rotated = (await s.keyAction(old.id, 'rotate', { overlapSeconds: 3600 }, 201)) as { key: { id: string } };
    const before = await s.whoami(oldToken);
    expect(before.headers.get('keygate-key-replaced-by')).toBe(rotated.key.id);
    const sunset = before.headers.get('sunset');
    const { overlapEndsAt } = (await s.verify(oldToken)) as { overlapEndsAt: string };

    expect((await s.kg.api(s.jwt).post(`/api/keys/${rotated.key.id}/revoke`, undefined)).status).toBe(200);

    const after = await s.whoami(oldToken);
    expect({ status: after.status, by: after.headers.get('keygate-key-replaced-by'), sunset: after.headers.get('sunset') }).toEqual({
      status: 200,
      by: null,
      sunset,
    });
    expect(await s.verify(oldToken)).toMatchObject({ valid: true, replacedBy: null, overlapEndsAt });
    // The settings list says the same: still working until the overlap's end, replaced by nothing, not rotatable again.
    const listed = (await s.kg.listKeys(s.jwt)).find((k) => k.id === old.id);
    expect(listed).toMatchObject({ status: 'active', replacedBy: null, overlapEndsAt, canRotate: false, expiresSoon: false });
  });

  it("rotate: the old token works through the overlap with Keygate-Key-Replaced-By and Sunset, and is 401 the first request after it", async () => {
    const { key: old, token: oldToken } = await s.mint('to rotate');
    const rotatedAt = s.kg.clock.now().getTime();
    const rotated = (await s.keyAction(old.id, 'rotate', { overlapSeconds: 3600 }, 201)) as { key: { id: string }; token: string };
    const overlapEndsAt = rotatedAt + 3600 * SECOND;
    const sunset = new Date(overlapEndsAt).toUTCString();

    // During the overlap, both tokens work; only the old one's answers say it is being replaced, on every request.
    for (const body of [callRequest('whoami'), rpc('tools/list'), rpc('ping')]) {
      const res = await mcpRaw(s.kg.url, { token: oldToken, body });
      expect({ status: res.status, by: res.headers.get('keygate-key-replaced-by'), sunset: res.headers.get('sunset') }).toEqual({
        status: 200,
        by: rotated.key.id,
        sunset,
      });
    }
    // An IMF-fixdate (RFC 9110 §5.6.7), as RFC 8594 asks.
    expect(sunset).toMatch(/^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d\d (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d\d:\d\d:\d\d GMT$/);
    const fresh = await s.whoami(rotated.token);
    expect([fresh.status, fresh.headers.get('keygate-key-replaced-by'), fresh.headers.get('sunset')]).toEqual([200, null, null]);
    expect(await s.verify(oldToken)).toMatchObject({ valid: true, code: 'VALID', keyId: old.id, replacedBy: rotated.key.id, overlapEndsAt: new Date(overlapEndsAt).toISOString() });
    // The 403 of a tool the key lacks is an answer for that key too: it carries them as well.
    const narrowOld = await s.mint('narrow to rotate', ['clients:read']);
    await s.keyAction(narrowOld.key.id, 'rotate', { overlapSeconds: 3600 }, 201);
    const forbidden = await mcpRaw(s.kg.url, { token: narrowOld.token, body: callRequest('list_api_keys') });
    expect([forbidden.status, forbidden.headers.get('sunset')]).toEqual([403, sunset]);

    // One millisecond before the end: still works. At the end: refused, without any event written meanwhile.
    s.kg.clock.advance(overlapEndsAt - 1 - s.kg.clock.now().getTime());
    expect((await s.whoami(oldToken)).headers.get('keygate-key-replaced-by')).toBe(rotated.key.id);
    s.kg.clock.advance(1);
    expectRefused(await s.whoami(oldToken), ROTATED_OUT);
    expect(await s.verify(oldToken)).toMatchObject({ valid: false, code: 'REVOKED', keyId: old.id, detail: expect.stringMatching(ROTATED_OUT) });
    expect((await s.whoami(rotated.token)).status).toBe(200);
  });
});

describe('MCP endpoint after a restart (issue 15): what the hot table is seeded with', () => {
  it('a suspended key stays refused and can be resumed; a key in its overlap still says it is being replaced', async () => {
    let kg = await bootKeygate({ env: ENV });
    const jwt = await signJwt(alice);
    const mint = async (label: string) => kg.mintKey(jwt, label);
    const suspended = await mint('suspended across a restart');
    const rotating = await mint('rotating across a restart');
    expect((await kg.api(jwt).post(`/api/keys/${suspended.key.id}/suspend`)).status).toBe(200);
    const rotated = await kg.api(jwt).post(`/api/keys/${rotating.key.id}/rotate`, { overlapSeconds: 600 });
    expect(rotated.status).toBe(201);
    const sunset = new Date(kg.clock.now().getTime() + 600 * SECOND).toUTCString();
    const { dataDir, clock } = kg;
    await kg.close({ keepData: true });

    kg = await bootKeygate({ dataDir, clock, env: ENV });
    try {
      const whoami = (token: string) => mcpRaw(kg.url, { token, body: callRequest('whoami') });
      expectRefused(await whoami(suspended.token), SUSPENDED);
      const old = await whoami(rotating.token);
      expect([old.status, old.headers.get('keygate-key-replaced-by'), old.headers.get('sunset')]).toEqual([200, rotated.body.key.id, sunset]);

      expect((await kg.api(jwt).post(`/api/keys/${suspended.key.id}/resume`)).status).toBe(200);
      expect((await whoami(suspended.token)).status).toBe(200);
      clock.advance(600 * SECOND);
      expectRefused(await whoami(rotating.token), ROTATED_OUT);
    } finally {
      await kg.close();
    }
  });
});
