import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { DEV_SECRET_FILE, StartupError } from '#config';
import { assertDistIsCurrent } from '#test-support/dist-freshness';
import { bootKeygate, settle, signJwt, type ActivityEntry, type Identity, type Keygate, type MintedKey } from '#test-support/keygate-harness';
import { callRequest, connectMcp, errorText, mcpRaw, parseBearerChallenge, toolJson } from '#test-support/mcp-client';

// Issue 14, product tools as plugins: an ES module named in KEYGATE_TOOL_MODULES, written here as a host product
// would ship one (plain .mjs importing zod, no Keygate import), served behind the same guard, permission filter,
// rate limit and usage recording as the built-in tools; a broken one stops start-up naming itself.

const EXAMPLE = './dist/examples/tools/list-clients.tool.js';
const RATE_LIMIT = 10;

/** The host product's plugin: one tool behind a product permission, one any key may call. */
const CRM_PLUGIN = `
import { z } from 'zod';

const result = (value) => ({ content: [{ type: 'text', text: JSON.stringify(value) }], structuredContent: value });

export const lookup = {
  name: 'crm_lookup',
  title: 'Look up a customer',
  description: 'A customer of the CRM by id (test plugin; needs crm:read).',
  requiredPermission: 'crm:read',
  annotations: { readOnlyHint: true },
  inputSchema: { customerId: z.string().regex(/^cu_[0-9]{1,6}$/).describe('A CRM customer id') },
  async handler({ customerId }, context) {
    // A plugin that writes to what it was given changes its own copy, never what the guard decides with.
    context.key.permissions.add('settings:view');
    return result({
      customerId,
      // Who the key acts for, as the tool receives it.
      companyId: context.actor.companyId,
      actorUserId: context.actor.userId,
      keyId: context.key.keyId,
      requestId: context.requestId,
      aborted: context.signal.aborted,
      // What the context offers, and nothing more: no store, no hasher, no verifier.
      context: Object.keys(context).sort(),
      key: Object.keys(context.key).sort(),
      buses: [typeof context.commands.execute, typeof context.queries.execute],
    });
  },
};

export const status = {
  name: 'crm_status',
  description: 'Whether the CRM answers (test plugin; any key).',
  requiredPermission: null,
  annotations: { readOnlyHint: true },
  inputSchema: {},
  async handler() {
    return result({ up: true });
  },
};

// Says nothing of reading only: as MCP assumes, it may write, so a read-only key is refused it though it holds crm:read.
export const note = {
  name: 'crm_note',
  description: 'Adds a note to a customer (test plugin; needs crm:read, and a key that is not read only).',
  requiredPermission: 'crm:read',
  inputSchema: { text: z.string().max(200) },
  async handler({ text }) {
    return result({ noted: text });
  },
};

export default [lookup, status, note];
`;

const who = (sub: string, permissions: string[]): Identity => ({ sub, company: 'acme', role: 'user', permissions });

const keyUsedOf = (entries: ActivityEntry[], tool: string) =>
  entries.filter((e) => e.type === 'KeyUsed' && (e as { tool?: string | null }).tool === tool) as Array<
    ActivityEntry & { count: number; tool: string; outcomes: Record<'ok' | 'error' | 'denied', number> }
  >;

let dir: string;
let pluginPath: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'keygate-plugins-'));
  // A plugin package has its own node_modules; this one borrows the repo's, for zod.
  symlinkSync(resolve('node_modules'), join(dir, 'node_modules'), 'dir');
  pluginPath = join(dir, 'crm-tools.mjs');
  writeFileSync(pluginPath, CRM_PLUGIN);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('tool plugins: served like the built-in tools', () => {
  let kg: Keygate;
  const clients: Client[] = [];
  const connect = async (token: string) => {
    const client = await connectMcp(kg.url, token);
    clients.push(client);
    return client;
  };
  const keyOf = async (person: Identity, label: string): Promise<MintedKey & { jwt: string }> => {
    const jwt = await signJwt(person);
    return { ...(await kg.mintKey(jwt, label)), jwt };
  };

  beforeAll(async () => {
    // The example is built from examples/tools by `npm run build`: this suite must not load yesterday's copy.
    const source = resolve('examples/tools/list-clients.tool.ts');
    const built = resolve(EXAMPLE);
    expect(existsSync(built)).toBe(true);
    expect(statSync(resolve('dist/.tsbuildinfo')).mtimeMs).toBeGreaterThanOrEqual(statSync(source).mtimeMs);
    // Two modules, comma-separated as an operator writes them: an absolute path and one relative to the cwd.
    kg = await bootKeygate({ env: { KEYGATE_TOOL_MODULES: `${pluginPath}, ${EXAMPLE}`, KEYGATE_RATE_LIMIT_PER_MINUTE: String(RATE_LIMIT) } });
  });
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close()));
    await kg?.close();
  });

  it("tools/list holds a plugin tool for a key whose creator has its permission, and not for one without", async () => {
    const withCrm = await connect((await keyOf(who('carla', ['crm:read']), 'Carla')).token);
    const without = await connect((await keyOf(who('dan', ['settings:view']), 'Dan')).token);
    const names = async (client: Client) => (await client.listTools()).tools.map((t) => t.name).sort();

    expect(await names(withCrm)).toEqual(['crm_lookup', 'crm_status', 'whoami']);
    // Carla's key is read only (crm:read alone): crm_note, not declared read-only, is not offered; with crm:write it is.
    const writer = await connect((await keyOf(who('wes', ['crm:read', 'crm:write']), 'Wes')).token);
    expect(await names(writer)).toEqual(['crm_lookup', 'crm_note', 'crm_status', 'whoami']);
    expect(toolJson(await writer.callTool({ name: 'crm_note', arguments: { text: 'hi' } }))).toEqual({ noted: 'hi' });
    // Dan's key is read only (a plain user with settings:view alone): revoke_api_key, which writes, is not listed.
    expect(await names(without)).toEqual(['crm_status', 'get_activity', 'list_api_keys', 'whoami']);
    // Listed with what the module declared, its zod shape rendered as JSON Schema.
    const lookup = (await withCrm.listTools()).tools.find((t) => t.name === 'crm_lookup');
    expect(lookup).toMatchObject({
      title: 'Look up a customer',
      description: 'A customer of the CRM by id (test plugin; needs crm:read).',
      inputSchema: { type: 'object', properties: { customerId: { type: 'string', description: 'A CRM customer id' } }, required: ['customerId'] },
    });
  });

  it('a call with the permission runs the handler with the key creator as actor, and is recorded as KeyUsed with its name', async () => {
    const { key, token, jwt } = await keyOf(who('carla2', ['crm:read']), 'Carla 2');
    const client = await connect(token);
    const answer = toolJson(await client.callTool({ name: 'crm_lookup', arguments: { customerId: 'cu_42' } }));
    expect(answer).toEqual({
      customerId: 'cu_42',
      companyId: 'acme',
      actorUserId: 'carla2',
      keyId: key.id,
      requestId: expect.any(String),
      aborted: false,
      context: ['actor', 'commands', 'key', 'queries', 'requestId', 'signal'],
      key: ['companyId', 'creatorRole', 'expiresAtMs', 'keyId', 'permissions', 'userId', 'userName'],
      buses: ['function', 'function'],
    });
    // The handler added settings:view to its copy of the key: the key's own permissions are unchanged.
    expect((await client.listTools()).tools.map((t) => t.name).sort()).toEqual(['crm_lookup', 'crm_status', 'whoami']);
    expect((await mcpRaw(kg.url, { token, body: callRequest('list_api_keys') })).status).toBe(403);
    // The module's schema is applied before the handler runs; a refused argument is the SDK's validation error.
    expect(errorText(await client.callTool({ name: 'crm_lookup', arguments: { customerId: 'DROP TABLE' } }))).toMatch(/Input validation error/);

    await settle(kg);
    const uses = keyUsedOf(await kg.activity(jwt, { keyId: key.id }), 'crm_lookup');
    expect(uses).toHaveLength(1);
    expect(uses[0]).toMatchObject({
      keyId: key.id,
      actorUserId: 'carla2',
      tool: 'crm_lookup',
      count: 2,
      outcomes: { ok: 1, error: 1, denied: 0 },
      detail: expect.stringMatching(/^Used API key "Carla 2" to call crm_lookup 2 times from keygate-e2e 1\.0\.0 \(1 ok, 1 error\)/),
    });
  });

  it('a call without the permission is refused exactly as the built-in check refuses (403 insufficient_scope), before validation, and recorded as denied', async () => {
    const { key, token, jwt } = await keyOf(who('nina', []), 'Nina');
    const client = await connect(token);
    const refused = await mcpRaw(kg.url, { token, body: callRequest('crm_lookup', { customerId: 42 }), headers: { 'user-agent': 'keygate-e2e/1.0.0' } });
    const builtIn = await mcpRaw(kg.url, { token, body: callRequest('list_api_keys'), headers: { 'user-agent': 'keygate-e2e/1.0.0' } });
    // The same refusal, naming each tool's own permission (list_api_keys needs settings:view).
    for (const [res, tool, scope] of [[refused, 'crm_lookup', 'crm:read'], [builtIn, 'list_api_keys', 'settings:view']] as const) {
      expect(res.status).toBe(403);
      expect(res.json).toMatchObject({ type: 'urn:keygate:problem:insufficient-scope', status: 403, detail: expect.stringContaining(`the tool ${tool} needs: ${scope}.`) });
      expect(parseBearerChallenge(res.headers.get('www-authenticate'))).toMatchObject({ error: 'insufficient_scope', scope });
    }
    // A name no tool has is still the SDK's "not found".
    expect(errorText(await client.callTool({ name: 'crm_nothing', arguments: {} }))).toBe('MCP error -32602: Tool crm_nothing not found');
    // The tool any key may call works for this key.
    expect(toolJson(await client.callTool({ name: 'crm_status', arguments: {} }))).toEqual({ up: true });

    await settle(kg);
    const history = await kg.activity(jwt, { keyId: key.id });
    expect(keyUsedOf(history, 'crm_lookup')).toEqual([expect.objectContaining({ count: 1, outcomes: { ok: 0, error: 0, denied: 1 } })]);
    expect(keyUsedOf(history, 'list_api_keys')).toEqual([expect.objectContaining({ count: 1, outcomes: { ok: 0, error: 0, denied: 1 } })]);
    expect(keyUsedOf(history, 'crm_status')).toEqual([expect.objectContaining({ count: 1, outcomes: { ok: 1, error: 0, denied: 0 } })]);
  });

  it("the key's rate limit counts plugin tool calls like any other request", async () => {
    const { key, token, jwt } = await keyOf(who('rita', ['crm:read']), 'Rita');
    for (let i = 1; i <= RATE_LIMIT; i++) {
      const res = await mcpRaw(kg.url, { token, body: callRequest('crm_lookup', { customerId: `cu_${i}` }) });
      expect({ i, status: res.status, remaining: res.headers.get('ratelimit-remaining') }).toEqual({ i, status: 200, remaining: String(RATE_LIMIT - i) });
      expect(res.json.result.structuredContent).toMatchObject({ customerId: `cu_${i}` });
    }
    const refused = await mcpRaw(kg.url, { token, body: callRequest('crm_lookup', { customerId: 'cu_0' }) });
    expect(refused.status).toBe(429);
    await settle(kg);
    // The refused request never reached the tool: only the answered calls are its uses.
    expect(keyUsedOf(await kg.activity(jwt, { keyId: key.id }), 'crm_lookup')).toEqual([
      expect.objectContaining({ count: RATE_LIMIT, outcomes: { ok: RATE_LIMIT, error: 0, denied: 0 } }),
    ]);
  });

  it('the example module loads from dist/examples: list_clients for a key with clients:read', async () => {
    const client = await connect((await keyOf(who('cleo', ['clients:read']), 'Cleo')).token);
    expect((await client.listTools()).tools.map((t) => t.name).sort()).toEqual(['crm_status', 'list_clients', 'whoami']);
    expect(toolJson(await client.callTool({ name: 'list_clients', arguments: { nameContains: 'contoso' } }))).toEqual({
      companyId: 'acme',
      items: [{ id: 'c-2', name: 'Contoso Pharmaceuticals', city: 'Lyon' }],
    });
  });
});

describe('tool plugins: off unless named', () => {
  it('without KEYGATE_TOOL_MODULES no product tool is served, not even the example', async () => {
    const kg = await bootKeygate();
    try {
      const client = await connectMcp(kg.url, (await kg.mintKey(await signJwt(who('all', ['clients:read', 'crm:read', 'settings:view'])), 'all')).token);
      try {
        // Read permissions only: a read-only key, so no revoke_api_key either.
        expect((await client.listTools()).tools.map((t) => t.name).sort()).toEqual(['get_activity', 'list_api_keys', 'whoami']);
      } finally {
        await client.close();
      }
    } finally {
      await kg.close();
    }
  });
});

describe('tool plugins: a broken module stops start-up', () => {
  const BAD_PLUGIN = `
import { z } from 'zod';
export default [{
  name: 'crm_export',
  description: 'Exports the CRM.',
  requiredPermission: 'crm export',
  inputSchema: { format: z.enum(['csv', 'json']) },
  async handler() { return { content: [] }; },
}];
`;
  let badPath: string;
  beforeAll(() => {
    badPath = join(dir, 'bad-tools.mjs');
    writeFileSync(badPath, BAD_PLUGIN);
  });

  const expected = () => [
    'Keygate cannot start: KEYGATE_TOOL_MODULES names tool modules that cannot be served.',
    `  - ${badPath}, default export[0] (tool "crm_export"): requiredPermission "crm export" must be null or a permission: 1 to 128 printable ASCII characters without spaces`,
  ];

  it('createKeygateApp rejects with a start-up error naming the setting, the module and the tool, before opening the store', async () => {
    const dataDir = join(dir, 'never-opened');
    const error = await bootKeygate({ dataDir, env: { KEYGATE_TOOL_MODULES: `${EXAMPLE},${badPath}` } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StartupError);
    expect((error as StartupError).exitCode).toBe(78);
    expect((error as Error).message.split('\n')).toEqual(expected());
    // Nothing was opened, so nothing was left to close: no database file was created.
    expect(existsSync(join(dataDir, 'keygate.sqlite'))).toBe(false);
  });

  it('the compiled API exits 78 with that message alone on stderr, no stack trace', () => {
    assertDistIsCurrent();
    const dataDir = join(dir, 'main-data');
    // No JWT secret: had start-up gone past the tools, it would have written the development secret.
    const result = spawnSync(process.execPath, [resolve('dist/apps/api/src/main.js')], {
      env: { PATH: process.env.PATH ?? '', KEYGATE_DATA_DIR: dataDir, KEYGATE_TOOL_MODULES: badPath, PORT: '1', LOG_LEVEL: 'silent' },
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(result.status).toBe(78);
    expect(result.stdout).toBe('');
    expect(result.stderr.trim().split('\n')).toEqual(expected());
    expect([existsSync(join(dataDir, DEV_SECRET_FILE)), existsSync(join(dataDir, 'keygate.sqlite'))]).toEqual([false, false]);
  });
});
