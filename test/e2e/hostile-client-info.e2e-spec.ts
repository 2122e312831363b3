import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { bootKeygate, JWT_SECRET, newDataDir, plainUser, settle, signJwt, type ActivityEntry, type Keygate } from '#test-support/keygate-harness';
import { callRequest, initializeRequest, mcpRaw, rpc } from '#test-support/mcp-client';
import { rmSync } from 'node:fs';

/** A feed entry of uses: a roll-up per key, tool, client and minute, with its count. */
type UseEntry = ActivityEntry & { count: number };

const run = promisify(execFile);

// The example product tool, served only when named: the "list_clients, not allowed" placement is a refused call to a
// tool that exists (denied), not to an unknown one.
const env = { KEYGATE_TOOL_MODULES: './dist/examples/tools/list-clients.tool.js' };

// Issue 8: one tools/call whose client name was an object stopped every company's projections for good.
// Every JSON type, in every field a client controls that reaches a KeyUsed.
const HOSTILE: unknown[] = [
  { toString: 1 },
  { toString: 'x', valueOf: 2 },
  {},
  [],
  ['claude'],
  0,
  1.5,
  -1e308,
  true,
  false,
  null,
  '',
  'x'.repeat(200_000),
  'evil\nname\u001b[2J\u202Etxt.exe',
  '\uD800lone',
];

const placements = (value: unknown): Array<{ where: string; message: unknown }> => [
  { where: '_meta.clientInfo.name', message: { ...callRequest('whoami'), params: { name: 'whoami', _meta: { 'io.modelcontextprotocol/clientInfo': { name: value } } } } },
  { where: '_meta.clientInfo.version', message: { ...callRequest('whoami'), params: { name: 'whoami', _meta: { 'io.modelcontextprotocol/clientInfo': { name: 'ok', version: value } } } } },
  { where: '_meta.clientInfo', message: { ...callRequest('whoami'), params: { name: 'whoami', _meta: { 'io.modelcontextprotocol/clientInfo': value } } } },
  { where: '_meta', message: { ...callRequest('whoami'), params: { name: 'whoami', _meta: value } } },
  { where: 'params.name', message: { ...callRequest('whoami'), params: { name: value } } },
  { where: 'list_clients, not allowed', message: { ...callRequest('list_clients'), params: { name: 'list_clients', _meta: { 'io.modelcontextprotocol/clientInfo': { name: value, version: value } } } } },
  { where: 'initialize clientInfo.name', message: rpc('initialize', { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: value, version: value } }) },
  { where: 'initialize clientInfo', message: rpc('initialize', { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: value }) },
];

describe('hostile client info (issue 8 regression)', () => {
  const dataDir = newDataDir();
  let kg: Keygate;

  beforeAll(async () => {
    kg = await bootKeygate({ dataDir, env });
  });
  afterAll(async () => {
    await kg?.close({ keepData: true });
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('records every call with bounded client info, and the read side stays healthy, restartable and rebuildable', async () => {
    const alice = await signJwt(plainUser('alice', 'acme'));
    const { key, token } = await kg.mintKey(alice, 'attacked');

    // 1. The request of the issue, verbatim, then every value in every place. None may make the server fail.
    const verbatim = await mcpRaw(kg.url, {
      token,
      body: { jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'whoami', _meta: { 'io.modelcontextprotocol/clientInfo': { name: { toString: 1 } } } } },
    });
    expect(verbatim.status).toBe(200);
    // Each request answered 200 records one KeyUsed (a new minute each time, so initialize is recorded too: it is
    // throttled per minute), and so does each call of a tool the key lacks (403). A message the MCP schema refuses (`_meta: []`) gets a JSON-RPC error with 400 and
    // never reaches a tool: nothing to record. Never a 5xx, never a body that is not JSON-RPC.
    let sent = 1;
    const answers = new Map<number, number>();
    for (const value of HOSTILE) {
      for (const { where, message } of placements(value)) {
        kg.clock.advance(61_000);
        const res = await mcpRaw(kg.url, { token, body: message });
        const seen = { where, value: JSON.stringify(value)?.slice(0, 40), status: res.status, jsonrpc: res.json?.jsonrpc ?? res.json?.type };
        // A tool the key lacks is refused at the HTTP level (403 insufficient_scope, problem+json), and recorded as denied.
        const expected = where === 'list_clients, not allowed'
          ? { status: 403, jsonrpc: 'urn:keygate:problem:insufficient-scope' }
          : { status: res.status === 400 ? 400 : 200, jsonrpc: '2.0' };
        expect(seen).toEqual({ ...seen, ...expected });
        answers.set(res.status, (answers.get(res.status) ?? 0) + 1);
        if (res.status === 200 || res.status === 403) sent += 1;
      }
    }
    console.log(`[hostile client info] ${HOSTILE.length} values x ${placements(0).length} places: answers by status ${JSON.stringify(Object.fromEntries(answers))}`);
    await settle(kg);

    // 2. Every call made it into the feed (counted in its roll-up: key, tool, client, minute), with a detail a
    // person can read: bounded, no control characters.
    const uses = (await kg.activity(alice, { keyId: key.id })).filter((e) => e.type === 'KeyUsed') as UseEntry[];
    expect(uses.reduce((n, u) => n + u.count, 0)).toBe(sent);
    for (const use of uses) {
      expect(use.detail.length).toBeLessThan(300);
      expect(use.detail).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u202A-\u202E\u2066-\u2069]/);
    }
    expect(uses.some((u) => u.detail.includes(`from ${'x'.repeat(100)} `))).toBe(true);
    expect(uses.some((u) => u.detail.includes('x'.repeat(101)))).toBe(false);

    // 3. /health is ready and nothing was parked: nothing malformed entered the log.
    const health = await kg.api().get('/health');
    expect({ status: health.status, body: health.body.status, parked: health.body.parked }).toEqual({ status: 200, body: 'ok', parked: [] });

    // 4. A mint's KeyMinted is in the feed at once (the mint waits for the read models, as before the attack).
    const started = performance.now();
    const fresh = await kg.mintKey(alice, 'after the attack');
    const waited = performance.now() - started;
    const feed = await kg.activity(alice, { keyId: fresh.key.id });
    expect(feed.map((e) => e.type)).toEqual(['KeyMinted', 'KeyAcknowledged']);
    expect(waited).toBeLessThan(4000); // it waited 5 s for projections stuck behind the bad event

    // 5. A restart on the same data directory succeeds and shows the same history.
    await kg.close({ keepData: true });
    kg = await bootKeygate({ dataDir, clock: kg.clock, env });
    expect((await kg.api().get('/health')).body.status).toBe('ok');
    const usesAfterRestart = (await kg.activity(alice, { keyId: key.id })).filter((e) => e.type === 'KeyUsed') as UseEntry[];
    expect(usesAfterRestart).toEqual(uses);

    // 6. So does a rebuild, through the operator's own command (the compiled app: `npm test` builds first).
    const rebuilt = await run('node', ['dist/apps/api/src/cli/rebuild-projections.js'], {
      env: { ...process.env, KEYGATE_DATA_DIR: dataDir, KEYGATE_JWT_SECRET: JWT_SECRET, LOG_LEVEL: 'silent' },
    });
    expect(rebuilt.stdout).toMatch(/activity_v2: rebuilt up to position \d+/);
    expect(rebuilt.stdout).not.toMatch(/parked/);
  });

  it('names a call by the request that made it, never by what another client of the same key announced', async () => {
    const bea = await signJwt(plainUser('bea', 'acme'));
    const { key, token } = await kg.mintKey(bea, 'shared');
    kg.clock.advance(61_000);
    // Client A initializes with a name; client B, stateless, calls with only its User-Agent.
    expect((await mcpRaw(kg.url, { token, body: rpc('initialize', { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'client-a', version: '1.0' } }) })).status).toBe(200);
    expect((await mcpRaw(kg.url, { token, body: callRequest('whoami'), headers: { 'user-agent': 'client-b/2.0 (linux)' } })).status).toBe(200);
    expect((await mcpRaw(kg.url, { token, body: { ...callRequest('whoami'), params: { name: 'whoami', _meta: { 'io.modelcontextprotocol/clientInfo': { name: 'client-c', version: '3' } } } } })).status).toBe(200);
    await settle(kg);
    const details = (await kg.activity(bea, { keyId: key.id })).filter((e) => e.type === 'KeyUsed').map((e) => e.detail).reverse();
    const at = (sentence: string) => expect.stringMatching(new RegExp(`^${sentence.replace(/[.()"]/g, '\\$&')} at \\d\\d:\\d\\d:\\d\\d UTC$`));
    expect(details).toEqual([
      at('Used API key "shared" once from client-a 1.0 (ok)'),
      at('Used API key "shared" to call whoami once from client-b 2.0 (ok)'),
      at('Used API key "shared" to call whoami once from client-c 3 (ok)'),
    ]);
    // initializeRequest is how the SDK client starts: it must still work as before.
    expect((await mcpRaw(kg.url, { token, body: initializeRequest() })).status).toBe(200);
  });

  it('never takes a key sent as X-Request-Id as the request id (it is echoed, logged and stored in usage)', async () => {
    const cid = await signJwt(plainUser('cid', 'acme'));
    const { token } = await kg.mintKey(cid, 'echo');
    const res = await mcpRaw(kg.url, { token, body: callRequest('whoami'), headers: { 'x-request-id': token.slice(0, 60) } });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-request-id')).not.toContain('kg_');
    const plain = await mcpRaw(kg.url, { token, body: callRequest('whoami'), headers: { 'x-request-id': 'trace-123' } });
    expect(plain.headers.get('x-request-id')).toBe('trace-123');
  });
});
