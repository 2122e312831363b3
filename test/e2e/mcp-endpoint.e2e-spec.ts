import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { mintToken, newKeyId } from '#keys';
import {
  bootKeygate,
  iso,
  MINUTE,
  settle,
  signJwt,
  type ActivityEntry,
  type Identity,
  type Keygate,
  type MintedKey,
} from '#test-support/keygate-harness';
import {
  callRequest,
  connectMcp,
  errorText,
  initializeRequest,
  mcpRaw,
  parseBearerChallenge,
  rpc,
  toolJson,
  type RawResponse,
} from '#test-support/mcp-client';

// POST /api/mcp: Streamable HTTP (stateless, JSON answers) behind the API key guard, driven by the SDK's
// own client where a real assistant would use it, and by raw HTTP where the HTTP layer itself is the subject.

const who = (sub: string, company: string, role: Identity['role'], permissions: string[]): Identity => ({ sub, company, role, permissions });

// The example product tool, list_clients, is served only when named (examples/tools; `npm test` builds it into dist).
const EXAMPLE_TOOLS = { KEYGATE_TOOL_MODULES: './dist/examples/tools/list-clients.tool.js' };
const ALL_TOOLS = ['get_activity', 'list_api_keys', 'list_clients', 'revoke_api_key', 'whoami'];
const CLIENTS = [
  { id: 'c-1', name: 'Northwind Traders', city: 'Seattle' },
  { id: 'c-2', name: 'Contoso Pharmaceuticals', city: 'Lyon' },
  { id: 'c-3', name: 'Fabrikam Logistics', city: 'Osaka' },
];

/** Boots an app for one describe block and closes its MCP clients, then the app, afterwards. */
const suite = (env: Record<string, string> = {}) => {
  const ctx = {
    kg: undefined as unknown as Keygate,
    clients: [] as Client[],
    async connect(token: string, name?: string): Promise<Client> {
      const client = await connectMcp(ctx.kg.url, token, name);
      ctx.clients.push(client);
      return client;
    },
    /** A JWT for this person and a key minted by them. */
    async keyOf(person: Identity, label: string): Promise<MintedKey & { jwt: string }> {
      const jwt = await signJwt(person);
      return { ...(await ctx.kg.mintKey(jwt, label)), jwt };
    },
    raw: (options: Parameters<typeof mcpRaw>[1]) => mcpRaw(ctx.kg.url, options),
  };
  beforeAll(async () => {
    ctx.kg = await bootKeygate({ env });
  });
  afterAll(async () => {
    await Promise.all(ctx.clients.map((c) => c.close()));
    await ctx.kg?.close();
  });
  return ctx;
};

/** A feed entry with the figures a roll-up of uses carries (the feed has one per key, tool, client and minute). */
type UseEntry = ActivityEntry & { count?: number; firstAt?: string; lastAt?: string; outcomes?: Record<'ok' | 'error' | 'denied', number>; tool?: string | null };

const keyUsedOf = (entries: ActivityEntry[], tool?: string): UseEntry[] =>
  entries.filter((e) => e.type === 'KeyUsed' && (tool === undefined || e.detail.includes(` to call ${tool} `)));

/** The detail of a roll-up of one use: its sentence, then the time of day it happened. */
const usedOnce = (sentence: string) =>
  expect.stringMatching(new RegExp(`^${sentence.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} at \\d\\d:\\d\\d:\\d\\d UTC$`));

/**
 * A tools/call refused for want of permissions (MCP authorization, "Runtime Insufficient Scope Errors"): 403,
 * problem+json, a Bearer challenge with error="insufficient_scope" and scope the permissions the call needs.
 */
const expectInsufficientScope = (res: RawResponse, tool: string, needed: string[]): void => {
  expect(res.status).toBe(403);
  expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json(;|$)/);
  const detail = `This API key lacks the permission(s) the tool ${tool} needs: ${needed.join(', ')}. A key keeps the permissions it was minted with; use a key that has them.`;
  expect(res.json).toEqual({ type: 'urn:keygate:problem:insufficient-scope', title: 'Forbidden', status: 403, detail, instance: expect.stringMatching(/^urn:keygate:request:/) });
  expect(parseBearerChallenge(res.headers.get('www-authenticate'))).toEqual({
    realm: 'keygate',
    error: 'insufficient_scope',
    scope: needed.join(' '),
    error_description: detail,
  });
};

/** The shape every refusal of the guard has: 401, problem+json, a Bearer challenge without resource_metadata. */
const expectInvalidToken = (res: RawResponse, description: RegExp): string => {
  expect(res.status).toBe(401);
  expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json(;|$)/);
  expect(res.json).toMatchObject({ status: 401, title: 'Unauthorized', detail: expect.any(String) });
  const header = res.headers.get('www-authenticate');
  expect(header).toEqual(expect.stringContaining('realm="keygate"'));
  expect(header).toEqual(expect.stringContaining('error="invalid_token"'));
  expect(header).not.toContain('resource_metadata');
  // A single well-formed challenge (RFC 9110 §11.2); error_description holds no '"' or '\' (RFC 6750 §3).
  const challenge = parseBearerChallenge(header);
  expect(challenge).toEqual({ realm: 'keygate', error: 'invalid_token', error_description: expect.any(String) });
  const described = challenge!.error_description;
  expect(described).toMatch(/^[\x20\x21\x23-\x5b\x5d-\x7e]+$/);
  expect(described).toMatch(description);
  expect(res.json.detail).toMatch(description);
  return described;
};

describe('MCP endpoint: tools', () => {
  const s = suite(EXAMPLE_TOOLS);
  // Alice may read clients; Dave may only view settings; Nora has no permission at all.
  const alice = who('alice', 'acme', 'root', ['settings:view', 'clients:read']);
  const dave = who('dave', 'acme', 'user', ['settings:view']);
  const nora = who('nora', 'acme', 'user', []);

  it('initializes, lists every tool and calls whoami and list_clients for a key whose creator had clients:read', async () => {
    const { key, token } = await s.keyOf(alice, 'Alice laptop');
    const client = await s.connect(token);
    expect(client.getServerVersion()).toEqual({ name: 'keygate', version: '0.1.0' });

    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name).sort()).toEqual(ALL_TOOLS);

    const me = await client.callTool({ name: 'whoami', arguments: {} });
    expect(me.isError).toBeFalsy();
    expect(toolJson(me)).toEqual({
      userId: 'alice',
      userName: 'Alice',
      companyId: 'acme',
      keyId: key.id,
      permissions: ['settings:view', 'clients:read'],
      expiresAt: key.expiresAt,
    });
    // The text content carries the same JSON, for clients that read only text.
    expect(JSON.parse((me.content as { text: string }[])[0].text)).toEqual(toolJson(me));

    expect(toolJson(await client.callTool({ name: 'list_clients', arguments: {} }))).toEqual({ companyId: 'acme', items: CLIENTS });
    expect(toolJson(await client.callTool({ name: 'list_clients', arguments: { nameContains: 'NORTH' } }))).toEqual({
      companyId: 'acme',
      items: [CLIENTS[0]],
    });
  });

  it('tools/list follows the creator permissions; a tool the key lacks is refused with 403 insufficient_scope and recorded as denied', async () => {
    const { key, token, jwt } = await s.keyOf(dave, 'Dave desktop');
    const { token: noneToken } = await s.keyOf(nora, 'Nora');
    const client = await s.connect(token);
    const bare = await s.connect(noneToken);

    // Dave, a plain user holding only settings:view, has a read-only key: no revoke_api_key (it writes).
    expect((await client.listTools()).tools.map((t) => t.name).sort()).toEqual(['get_activity', 'list_api_keys', 'whoami']);
    expect((await bare.listTools()).tools.map((t) => t.name)).toEqual(['whoami']);
    expect(toolJson(await client.callTool({ name: 'whoami', arguments: {} }))).toMatchObject({ userId: 'dave', permissions: ['settings:view'] });

    // The SDK's client fails the call on the 403 (with no OAuth provider there is no step-up to try).
    await expect(client.callTool({ name: 'list_clients', arguments: {} })).rejects.toThrow(/403/);
    expectInsufficientScope(await s.raw({ token, body: callRequest('list_clients') }), 'list_clients', ['clients:read']);
    // A name no tool has is still "not found", as the SDK says it.
    expect(errorText(await client.callTool({ name: 'no_such_tool', arguments: {} }))).toMatch(/Tool no_such_tool not found$/);
    // Nora's key has not even settings:view.
    expectInsufficientScope(await s.raw({ token: noneToken, body: callRequest('list_api_keys') }), 'list_api_keys', ['settings:view']);

    await settle(s.kg);
    const history = await s.kg.activity(jwt, { keyId: key.id });
    const listClientsUses = keyUsedOf(history, 'list_clients');
    // One from the SDK's client, one raw (from its own client, named by no User-Agent).
    expect(listClientsUses.reduce((n, u) => n + (u.count ?? 0), 0)).toBe(2);
    expect(listClientsUses).toContainEqual(expect.objectContaining({
      keyId: key.id,
      keyLabel: 'Dave desktop',
      actorUserId: 'dave',
      count: 1,
      outcomes: { ok: 0, error: 0, denied: 1 },
      detail: usedOnce('Used API key "Dave desktop" to call list_clients once from keygate-e2e 1.0.0 (denied)'),
    }));
    expect(keyUsedOf(history, 'whoami').map((e) => e.detail)).toEqual([usedOnce('Used API key "Dave desktop" to call whoami once from keygate-e2e 1.0.0 (ok)')]);
  });

  // The permission check runs before the SDK validates arguments: a validation error would reveal the tool's
  // input schema to a key that may not call it.
  it('a tool the key lacks is refused for its scope even when called with arguments its schema refuses, and recorded as denied', async () => {
    const { token, jwt } = await s.keyOf(who('dora', 'acme', 'user', ['settings:view']), 'Dora');
    const client = await s.connect(token);
    await expect(client.callTool({ name: 'list_clients', arguments: { nameContains: 42 } })).rejects.toThrow(/insufficient_scope|lacks the permission/);
    await settle(s.kg);
    const history = await s.kg.activity(jwt);
    expect(keyUsedOf(history, 'list_clients').map((e) => e.detail)).toEqual([
      usedOnce('Used API key "Dora" to call list_clients once from keygate-e2e 1.0.0 (denied)'),
    ]);
  });

  it('in a batch (protocol 2025-03-26), a call the key lacks is a JSON-RPC error naming the permissions; the others are answered', async () => {
    const { token } = await s.keyOf(who('bart', 'acme', 'user', ['settings:view']), 'Bart');
    const res = await s.raw({
      token,
      headers: { 'mcp-protocol-version': '2025-03-26' },
      body: [callRequest('whoami', {}, 'a'), callRequest('list_clients', {}, 'b')],
    });

    expect(res.status).toBe(200);
    expect(res.json).toEqual([
      expect.objectContaining({ id: 'a', result: expect.objectContaining({ structuredContent: expect.objectContaining({ userId: 'bart' }) }) }),
      {
        jsonrpc: '2.0',
        id: 'b',
        error: {
          code: -32003,
          message: 'Insufficient scope: the tool list_clients needs the permission(s) clients:read, which this API key lacks.',
          data: { error: 'insufficient_scope', scope: 'clients:read', missing: ['clients:read'], tool: 'list_clients' },
        },
      },
    ]);
  });

  it('calls to an unknown tool and with bad arguments are recorded too, as errors', async () => {
    const { token, jwt } = await s.keyOf(who('dirk', 'acme', 'user', ['settings:view', 'clients:read']), 'Dirk');
    const client = await s.connect(token);
    expect(errorText(await client.callTool({ name: 'no_such_tool', arguments: {} }))).toMatch(/Tool no_such_tool not found$/);
    expect(errorText(await client.callTool({ name: 'list_clients', arguments: { nameContains: 42 } }))).toMatch(/Input validation error/);
    await settle(s.kg);
    const history = await s.kg.activity(jwt);
    expect(keyUsedOf(history, 'no_such_tool').map((e) => e.detail)).toEqual([usedOnce('Used API key "Dirk" to call no_such_tool once from keygate-e2e 1.0.0 (error)')]);
    expect(keyUsedOf(history, 'list_clients').map((e) => e.detail)).toEqual([usedOnce('Used API key "Dirk" to call list_clients once from keygate-e2e 1.0.0 (error)')]);
  });
});

describe('MCP endpoint: refusals (401)', () => {
  const s = suite();
  const alice = who('alice', 'acme', 'root', ['settings:view']);

  it('a key revoked through the REST API is refused by the very next request', async () => {
    const { key, token, jwt } = await s.keyOf(alice, 'to revoke');
    const client = await s.connect(token);
    expect(toolJson(await client.callTool({ name: 'whoami', arguments: {} }))).toMatchObject({ keyId: key.id });

    const revoked = await s.kg.api(jwt).post(`/api/keys/${key.id}/revoke`);
    expect(revoked.status).toBe(200);
    // No waiting: the next request is refused.
    const res = await s.raw({ token, body: callRequest('whoami') });
    expectInvalidToken(res, /revoked/);
    await expect(client.callTool({ name: 'whoami', arguments: {} })).rejects.toMatchObject({ code: 401 });
    await expect(client.listTools()).rejects.toMatchObject({ code: 401 });
  });

  it('a deleted key, a wrong secret behind a real key id and an unknown key id get the same answer', async () => {
    const { key: gone, token: goneToken, jwt } = await s.keyOf(alice, 'to delete');
    const { key, token } = await s.keyOf(alice, 'live');
    expect((await s.raw({ token: goneToken, body: initializeRequest() })).status).toBe(200);
    expect((await s.kg.api(jwt).post(`/api/keys/${gone.id}/revoke`)).status).toBe(200);
    expect((await s.kg.api(jwt).delete(`/api/keys/${gone.id}`)).status).toBe(204);

    const deleted = expectInvalidToken(await s.raw({ token: goneToken, body: initializeRequest() }), /invalid/);

    // A well-formed token (valid checksum) for the live key id, with another secret.
    const forged = mintToken(key.id).token;
    expect(forged).not.toBe(token);
    expect(forged.startsWith(`kg_${key.id}_`)).toBe(true);
    const wrongSecret = expectInvalidToken(await s.raw({ token: forged, body: initializeRequest() }), /invalid/);

    const unknown = expectInvalidToken(await s.raw({ token: mintToken(newKeyId()).token, body: initializeRequest() }), /invalid/);
    expect(new Set([deleted, wrongSecret, unknown]).size).toBe(1);
    expect(deleted).not.toMatch(/revoked|expired|deleted|secret/);

    // The real token still works: the failures did not lock the key out.
    expect((await s.raw({ token, body: callRequest('whoami') })).status).toBe(200);
  });

  it('a well-formed token with a bad checksum, no Authorization, or a settings-API JWT are refused', async () => {
    const { token } = await s.keyOf(alice, 'checksum');
    const last = token.at(-1)!;
    const badChecksum = token.slice(0, -1) + (last === 'A' ? 'B' : 'A');
    expect(badChecksum).toMatch(/^kg_[0-9A-Za-z]{12}_[0-9A-Za-z]{30}$/);
    expectInvalidToken(await s.raw({ token: badChecksum, body: initializeRequest() }), /not a well-formed/);

    expectInvalidToken(await s.raw({ body: initializeRequest() }), /Authorization: Bearer/);
    expectInvalidToken(await s.raw({ body: initializeRequest(), headers: { authorization: `Basic ${Buffer.from('a:b').toString('base64')}` } }), /Authorization: Bearer/);

    // The settings API's own credential is not an API key.
    const jwt = await signJwt(alice);
    expect((await s.kg.api(jwt).get('/api/keys')).status).toBe(200);
    expectInvalidToken(await s.raw({ token: jwt, body: initializeRequest() }), /not a well-formed/);
    await expect(connectMcp(s.kg.url, jwt)).rejects.toMatchObject({ code: 401 });
  });

  it('a key in the URL is refused, even alongside a valid Authorization header', async () => {
    const { token, key, jwt } = await s.keyOf(alice, 'in the url');
    for (const query of [`?key=${token}`, `?api_key=${token}`, `?x=1&token=${encodeURIComponent(token)}`, `?${token}`]) {
      const res = await s.raw({ token, body: callRequest('whoami'), query });
      expectInvalidToken(res, /Authorization header/);
      expect(res.text).not.toContain(token);
    }
    // Nothing of those requests was used: no KeyUsed, no lastUsedAt.
    await settle(s.kg);
    expect(keyUsedOf(await s.kg.activity(jwt, { keyId: key.id }))).toEqual([]);
    expect((await s.kg.listKeys(jwt)).find((k) => k.id === key.id)?.lastUsedAt).toBeNull();
    // The same request without the query works.
    expect((await s.raw({ token, body: callRequest('whoami') })).status).toBe(200);
  });

  it('a key past expiresAt is refused as expired, without waiting for the sweeper (runs last: it moves the clock)', async () => {
    const { key, token } = await s.keyOf(alice, 'short lived');
    const client = await s.connect(token);
    expect(toolJson(await client.callTool({ name: 'whoami', arguments: {} }))).toMatchObject({ expiresAt: key.expiresAt });

    s.kg.clock.current = new Date(Date.parse(key.expiresAt) - 1000);
    expect((await s.raw({ token, body: callRequest('whoami') })).status).toBe(200);

    s.kg.clock.current = new Date(Date.parse(key.expiresAt) + 1000);
    expectInvalidToken(await s.raw({ token, body: callRequest('whoami') }), /expired/);
    await expect(client.callTool({ name: 'whoami', arguments: {} })).rejects.toMatchObject({ code: 401 });
  });
});

describe('MCP endpoint: HTTP limits', () => {
  const PUBLIC = 'https://keygate.example.com';
  const s = suite({
    KEYGATE_RATE_LIMIT_PER_MINUTE: '5',
    KEYGATE_MAX_REQUEST_BYTES: '2048',
    KEYGATE_PUBLIC_URL: `${PUBLIC}/`,
    KEYGATE_ALLOWED_ORIGINS: 'https://app.example.com',
  });
  const person = (sub: string) => who(sub, 'acme', 'user', ['settings:view']);

  it('answers 429 with Retry-After and RateLimit headers past the per-key limit; other keys are not affected', async () => {
    const { token } = await s.keyOf(person('rita'), 'busy');
    const { token: other } = await s.keyOf(person('otto'), 'quiet');

    for (let i = 1; i <= 5; i++) {
      const res = await s.raw({ token, body: rpc('tools/list') });
      expect(res.status).toBe(200);
      expect(res.headers.get('ratelimit-limit')).toBe('5');
      expect(res.headers.get('ratelimit-remaining')).toBe(String(5 - i));
    }
    const refused = await s.raw({ token, body: callRequest('whoami') });
    expect(refused.status).toBe(429);
    expect(refused.headers.get('content-type')).toMatch(/^application\/problem\+json(;|$)/);
    expect(refused.json).toMatchObject({ status: 429, detail: expect.stringMatching(/Rate limit of 5 requests per minute/) });
    expect(refused.headers.get('retry-after')).toBe('60'); // the test clock stands still
    expect(refused.headers.get('ratelimit-limit')).toBe('5');
    expect(refused.headers.get('ratelimit-remaining')).toBe('0');
    expect(refused.headers.get('www-authenticate')).toBeNull();

    expect((await s.raw({ token: other, body: rpc('tools/list') })).headers.get('ratelimit-remaining')).toBe('4');

    s.kg.clock.advance(MINUTE);
    const next = await s.raw({ token, body: rpc('tools/list') });
    expect(next.status).toBe(200);
    expect(next.headers.get('ratelimit-remaining')).toBe('4');
  });

  it('answers 413 for a body larger than KEYGATE_MAX_REQUEST_BYTES', async () => {
    const { token } = await s.keyOf(person('sam'), 'sizes');
    const sized = (bytes: number) => {
      const body = JSON.stringify(rpc('tools/list', { _meta: { pad: '' } }, 1));
      return body.replace('"pad":""', `"pad":"${'x'.repeat(bytes - body.length)}"`);
    };
    expect(Buffer.byteLength(sized(2048))).toBe(2048);
    expect(Buffer.byteLength(sized(2049))).toBe(2049);

    const fits = await s.raw({ token, body: sized(2048) });
    expect(fits.status).toBe(200);
    expect(fits.json.result.tools.length).toBeGreaterThan(0);

    const tooBig = await s.raw({ token, body: sized(2049), headers: { 'content-length': '2049' } });
    expect(tooBig.status).toBe(413);
    const huge = await s.raw({ token, body: sized(64 * 1024) });
    expect(huge.status).toBe(413);
  });

  it('answers 403 for a foreign Origin; the public URL origin and KEYGATE_ALLOWED_ORIGINS are accepted', async () => {
    const { token } = await s.keyOf(person('olga'), 'origins');
    for (const origin of ['https://evil.example', 'null', `${PUBLIC}.evil.example`, 'http://keygate.example.com']) {
      const res = await s.raw({ token, body: rpc('tools/list'), headers: { origin } });
      expect({ origin, status: res.status }).toEqual({ origin, status: 403 });
      expect(res.json).toMatchObject({ status: 403, detail: `Requests from origin ${origin} are not allowed.` });
    }
    for (const origin of [PUBLIC, 'https://app.example.com']) {
      const res = await s.raw({ token, body: rpc('tools/list'), headers: { origin } });
      expect({ origin, status: res.status }).toEqual({ origin, status: 200 });
    }
    expect((await s.raw({ token, body: rpc('tools/list') })).status).toBe(200); // no Origin: not a browser
  });

  it('answers 405 to GET and DELETE with a valid key', async () => {
    const { token } = await s.keyOf(person('gus'), 'methods');
    for (const method of ['GET', 'DELETE']) {
      const res = await s.raw({ token, method, headers: { accept: 'application/json, text/event-stream' } });
      expect({ method, status: res.status }).toEqual({ method, status: 405 });
      expect(res.headers.get('allow')).toBe('POST');
      expect(res.json).toMatchObject({ jsonrpc: '2.0', error: { code: -32000 }, id: null });
    }
  });
});

describe('MCP endpoint: company isolation and usage', () => {
  const s = suite(EXAMPLE_TOOLS);
  const alice = who('alice', 'acme', 'root', ['settings:view', 'clients:read']);
  const bob = who('bob', 'globex', 'root', ['settings:view', 'clients:read']);

  it("a key of one company sees nothing of another's keys or activity and cannot revoke them", async () => {
    const a = await s.keyOf(alice, 'acme key');
    const b1 = await s.keyOf(bob, 'globex key');
    const b2 = await s.keyOf(bob, 'globex other');
    // Give globex some activity of its own, including a use.
    const bClient = await s.connect(b1.token);
    expect(toolJson(await bClient.callTool({ name: 'whoami', arguments: {} }))).toMatchObject({ companyId: 'globex' });
    await settle(s.kg);
    const bIds = [b1.key.id, b2.key.id];

    const client = await s.connect(a.token);
    const keys = toolJson(await client.callTool({ name: 'list_api_keys', arguments: {} }));
    expect(keys.items.map((k: { id: string }) => k.id)).toEqual([a.key.id]);
    expect(keys.items[0]).toMatchObject({ id: a.key.id, userId: 'alice', status: 'active' });

    const activity = toolJson(await client.callTool({ name: 'get_activity', arguments: { limit: 100 } }));
    expect(activity.items.length).toBeGreaterThan(0);
    expect(new Set(activity.items.map((e: { keyId: string }) => e.keyId))).toEqual(new Set([a.key.id]));
    const forB = await client.callTool({ name: 'get_activity', arguments: { keyId: b1.key.id } });
    expect(toolJson(forB)).toEqual({ items: [] });

    const revoke = await client.callTool({ name: 'revoke_api_key', arguments: { keyId: b1.key.id } });
    expect(errorText(revoke)).toBe(`No API key with id ${b1.key.id}.`);
    for (const res of [keys, activity]) for (const id of bIds) expect(JSON.stringify(res)).not.toContain(id);
    expect(toolJson(await client.callTool({ name: 'list_clients', arguments: {} })).companyId).toBe('acme');

    // Globex's key is untouched.
    expect(toolJson(await bClient.callTool({ name: 'whoami', arguments: {} }))).toMatchObject({ keyId: b1.key.id });
    expect((await s.kg.listKeys(b1.jwt)).map((k) => [k.id, k.status])).toEqual([
      [b2.key.id, 'active'],
      [b1.key.id, 'active'],
    ]);
    // ...and acme's own key can be revoked through the tool (the control for the refusal above).
    const own = await s.keyOf(alice, 'acme spare');
    const revokedOwn = toolJson(await client.callTool({ name: 'revoke_api_key', arguments: { keyId: own.key.id } }));
    expect(revokedOwn.key).toMatchObject({ id: own.key.id, status: 'revoked' });
  });

  it('every successful tools/call has its KeyUsed, and the keys list shows lastUsedAt', async () => {
    const erin = who('erin', 'acme', 'user', ['settings:view', 'clients:read']);
    const { key, token, jwt } = await s.keyOf(erin, 'Erin counting');
    expect((await s.kg.listKeys(jwt)).find((k) => k.id === key.id)?.lastUsedAt).toBeNull();

    s.kg.clock.advance(MINUTE);
    const connectedAt = s.kg.clock.now().getTime();
    const client = await s.connect(token, 'counter');
    await client.listTools(); // in the same minute as the initialize: not recorded again
    s.kg.clock.advance(MINUTE);
    const calledAt = s.kg.clock.now().getTime();
    const calls = { whoami: 4, list_clients: 2, list_api_keys: 1, get_activity: 3 } as const;
    for (const [name, n] of Object.entries(calls)) {
      for (let i = 0; i < n; i++) expect((await client.callTool({ name, arguments: {} })).isError).toBeFalsy();
    }
    await client.listTools(); // a minute after the initialize: recorded

    await settle(s.kg);
    const history = await s.kg.activity(jwt, { keyId: key.id });
    // One roll-up per tool (this minute, this client), counting every call.
    const clock = (ms: number) => iso(ms).slice(11, 19);
    for (const [name, n] of Object.entries(calls)) {
      const uses = keyUsedOf(history, name);
      expect({ name, rollUps: uses.length }).toEqual({ name, rollUps: 1 });
      expect(uses[0]).toMatchObject({
        keyId: key.id,
        actorUserId: 'erin',
        at: iso(calledAt),
        count: n,
        firstAt: iso(calledAt),
        lastAt: iso(calledAt),
        outcomes: { ok: n, error: 0, denied: 0 },
        tool: name,
        detail: `Used API key "Erin counting" to call ${name} ${n === 1 ? 'once' : `${n} times`} from counter 1.0.0 (${n === 1 ? 'ok' : `${n} ok`}) at ${clock(calledAt)} UTC`,
      });
    }
    // Outside tools/call, a use is recorded at most once a minute per key: the initialize, then the last tools/list.
    const other = keyUsedOf(history).filter((e) => !e.detail.includes(' to call '));
    expect(other.map((e) => [e.at, e.count, e.detail])).toEqual([
      [iso(calledAt), 1, `Used API key "Erin counting" once from counter 1.0.0 (ok) at ${clock(calledAt)} UTC`],
      [iso(connectedAt), 1, `Used API key "Erin counting" once from counter 1.0.0 (ok) at ${clock(connectedAt)} UTC`],
    ]);
    // Every use counted: 2 outside tools/call, 10 calls.
    expect(keyUsedOf(history).reduce((n, e) => n + e.count!, 0)).toBe(2 + 4 + 2 + 1 + 3);

    expect((await s.kg.listKeys(jwt)).find((k) => k.id === key.id)).toMatchObject({ lastUsedAt: iso(calledAt), status: 'active' });
    // The same feed through the settings API and through the tool.
    const viaTool = toolJson(await client.callTool({ name: 'get_activity', arguments: { keyId: key.id, limit: 100 } }));
    await settle(s.kg);
    const after: UseEntry[] = await s.kg.activity(jwt, { keyId: key.id });
    // The same entries; that call's own use grew the get_activity roll-up, which moved to the top.
    expect(viaTool.items.map((e: ActivityEntry) => e.id).sort()).toEqual(after.map((e) => e.id).sort());
    expect(after[0]).toMatchObject({ tool: 'get_activity', count: 4 });
    expect(viaTool.items.find((e: UseEntry) => e.id === after[0].id)).toMatchObject({ tool: 'get_activity', count: 3 });
  });
});
