import fc from 'fast-check';
import { bootKeygate, root, signJwt, type Keygate } from '#test-support/keygate-harness';
import { closeAgent, mcpVerdict, restVerdict, send, type RawExchange } from './raw-http.js';

// Issue 10: no request, whatever it holds, gets a 5xx; every error answer is problem+json on the settings API and
// a JSON-RPC error or problem+json on /api/mcp. Property-based: fast-check generates requests over every REST
// body, query and path, MCP JSON-RPC messages and Authorization headers; each run sends BATCH of them at once.
// Seeded (KEYGATE_FC_SEED overrides) so a failure replays; the counts are printed.

const BATCH = 8;
const REST_RUNS = Number(process.env.KEYGATE_FC_RUNS ?? 700); // x BATCH requests
const MCP_RUNS = Number(process.env.KEYGATE_FC_RUNS ?? 700);
const seed = Number(process.env.KEYGATE_FC_SEED ?? 20261201);

const tally = { cases: 0, fiveXx: 0, byStatus: {} as Record<string, number> };

// ------------------------------------------------------------------ building blocks

/** Nesting far past any bound: what made class-transformer overflow the stack (3,000 objects, 1,500 arrays). */
const deepJson = fc.record({ depth: fc.integer({ min: 1, max: 4000 }), kind: fc.constantFrom('object', 'array', 'mixed') }).map(({ depth, kind }) => {
  let open = '';
  let close = '';
  for (let i = 0; i < depth; i++) {
    const obj = kind === 'object' || (kind === 'mixed' && i % 2 === 0);
    open += obj ? '{"a":' : '[';
    close = (obj ? '}' : ']') + close;
  }
  return `${open}1${close}`;
});

const nastyString = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.constantFrom('', ' ', '__proto__', 'constructor', 'prototype', 'toString', '\u0000', '\uD800', '\u202E', 'kg_', '%', '%zz', '../..', 'x'.repeat(5000)),
);

const anyJson = fc.oneof(
  { weight: 4, arbitrary: fc.jsonValue({ maxDepth: 4 }) },
  { weight: 1, arbitrary: fc.constantFrom(null, 0, -1, 1e308, true, '', [], {}, [[[]]]) },
  { weight: 1, arbitrary: fc.dictionary(nastyString, fc.jsonValue({ maxDepth: 2 }), { maxKeys: 6 }) },
);

/** A JSON body as text: valid JSON of any shape, deep JSON, or text that is not JSON at all. */
const bodyText = (shaped: fc.Arbitrary<unknown>) =>
  fc.oneof(
    { weight: 5, arbitrary: shaped.map((v) => JSON.stringify(v) ?? 'null') },
    { weight: 2, arbitrary: deepJson },
    { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 200 }) },
    { weight: 1, arbitrary: fc.constantFrom('', '{', '{"a":', '[1,]', '{"__proto__":{"x":1}}', '{"constructor":{"prototype":{}}}', 'null', '"x"', '1e999999') },
  );

// ------------------------------------------------------------------ the settings API

const keyIdSegment = fc.oneof(
  fc.stringMatching(/^[0-9A-Za-z]{12}$/),
  fc.string({ unit: fc.constantFrom(...'abcXYZ019-._~%!$&\'()*+,;=:@'.split('')), maxLength: 160 }),
  fc.constantFrom('%zz', '%', '%00', '%2F', '%C0%AF', 'a'.repeat(101), '..', '.', '%E2%80%AE'),
);

const queryValue = fc.oneof(
  fc.string({ unit: fc.constantFrom(...'abc0189-_.~%+=&'.split('')), maxLength: 30 }),
  fc.constantFrom('', '0', '1', '50', '100', '101', '-1', '1e3', 'NaN', '%zz', 'a'.repeat(300), '[object]', '__proto__'),
);
const query = fc
  .array(fc.tuple(fc.constantFrom('keyId', 'userId', 'limit', 'cursor', '__proto__', 'constructor', 'x', 'limit[]', 'a[b]'), queryValue), { maxLength: 6 })
  .map((pairs) => (pairs.length === 0 ? '' : '?' + pairs.map(([k, v]) => `${k}=${v}`).join('&')));

const restPath = fc.oneof(
  fc.constant('/api/keys'),
  fc.constant('/api/keys/acknowledgements'),
  keyIdSegment.map((id) => `/api/keys/${id}/revoke`),
  keyIdSegment.map((id) => `/api/keys/${id}`),
  query.map((q) => `/api/activity${q}`),
  fc.constantFrom('/api/keys/', '/api//keys', '/api/keys?%zz', '/api/activity?limit=%zz', '/nowhere', '/api/docs-json', '/health', '/api/keys%2Facknowledgements'),
);

const mintShaped = fc.oneof(
  fc.record({ acknowledgementId: anyJson, label: anyJson }, { requiredKeys: [] }),
  fc.record({ acknowledgementId: fc.stringMatching(/^ack_[0-9A-Za-z]{20}$/), label: nastyString }),
  anyJson,
);

const contentType = fc.oneof(
  { weight: 6, arbitrary: fc.constant('application/json') },
  { weight: 1, arbitrary: fc.constantFrom('application/json; charset=utf-8', 'text/plain', 'application/x-www-form-urlencoded', '', 'application/json; charset=latin1', 'APPLICATION/JSON', 'multipart/form-data; boundary=x', '*/*') },
);

const restRequest = (jwt: string) =>
  fc
    .record({
      method: fc.constantFrom('GET', 'POST', 'POST', 'DELETE', 'PUT', 'PATCH', 'OPTIONS', 'HEAD'),
      path: restPath,
      auth: fc.oneof(
        { weight: 6, arbitrary: fc.constant(`Bearer ${jwt}`) },
        { weight: 1, arbitrary: fc.constantFrom(undefined, '', 'Bearer', 'Bearer ', 'Basic YTpi', `Bearer ${jwt}x`, `bearer   ${jwt}  `, 'Bearer kg_AAAAAAAAAAAA_xxxxxxxxxxxxxxxxxxxxxxxx000000') },
        { weight: 1, arbitrary: nastyString.map((s) => `Bearer ${s.replace(/[\r\n\0]/g, '')}`) },
      ),
      body: fc.option(bodyText(mintShaped), { freq: 3 }),
      contentType,
    })
    .map(({ method, path, auth, body, contentType }): RawExchange => {
      const headers: Record<string, string> = {};
      if (auth !== undefined) headers.authorization = auth.replace(/[^\t\x20-\x7e\x80-\xff]/g, '');
      const sendsBody = body !== null && method !== 'GET' && method !== 'HEAD';
      if (sendsBody) headers['content-type'] = contentType;
      return { method, path, headers, body: sendsBody ? body : undefined };
    });

// ------------------------------------------------------------------ the MCP endpoint

const METHODS = ['initialize', 'tools/list', 'tools/call', 'ping', 'resources/list', 'prompts/list', 'notifications/initialized', 'notifications/cancelled', 'completion/complete', 'logging/setLevel'];

const toolName = fc.oneof(fc.constantFrom('whoami', 'list_api_keys', 'get_activity', 'revoke_api_key', 'list_clients', 'nope', ''), anyJson);

const rpcMessage = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record(
      {
        jsonrpc: fc.oneof({ weight: 8, arbitrary: fc.constant('2.0') }, { weight: 1, arbitrary: anyJson }),
        id: fc.oneof(fc.integer(), fc.string({ maxLength: 20 }), anyJson),
        method: fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...METHODS) }, { weight: 1, arbitrary: anyJson }),
        params: fc.oneof(
          fc.record({ name: toolName, arguments: anyJson, _meta: anyJson }, { requiredKeys: [] }),
          fc.record({ protocolVersion: fc.oneof(fc.constantFrom('2025-06-18', '2024-11-05'), anyJson), capabilities: anyJson, clientInfo: anyJson }, { requiredKeys: [] }),
          anyJson,
        ),
      },
      { requiredKeys: ['jsonrpc'] },
    ),
  },
  { weight: 1, arbitrary: anyJson },
);

const mcpBody = fc.oneof(
  { weight: 6, arbitrary: rpcMessage.map((m) => JSON.stringify(m)) },
  { weight: 1, arbitrary: fc.array(rpcMessage, { maxLength: 5 }).map((b) => JSON.stringify(b)) },
  { weight: 2, arbitrary: bodyText(anyJson) },
);

const mcpRequest = (token: string) =>
  fc
    .record({
      method: fc.constantFrom('POST', 'POST', 'POST', 'POST', 'GET', 'DELETE', 'PUT'),
      query: fc.constantFrom('', '', '', '?x=1', `?key=${token}`, '?%zz'),
      auth: fc.oneof(
        { weight: 6, arbitrary: fc.constant(`Bearer ${token}`) },
        {
          weight: 2,
          arbitrary: fc.constantFrom(undefined, '', 'Bearer', `Bearer ${token.slice(0, -1)}A`, `Bearer ${token.slice(0, 20)}`, `Bearer ${token}${token}`, `Basic ${token}`, `Bearer  ${token}`, 'Bearer kg_AAAAAAAAAAAA_xxxxxxxxxxxxxxxxxxxxxxxx000000'),
        },
        { weight: 1, arbitrary: nastyString.map((s) => `Bearer ${s}`) },
      ),
      contentType: fc.oneof({ weight: 8, arbitrary: fc.constant('application/json') }, { weight: 1, arbitrary: fc.constantFrom('', 'text/plain', 'application/json;charset=utf-8', 'application/jsonx') }),
      accept: fc.oneof({ weight: 8, arbitrary: fc.constant('application/json, text/event-stream') }, { weight: 1, arbitrary: fc.constantFrom('', '*/*', 'application/json', 'text/event-stream') }),
      version: fc.oneof({ weight: 6, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: fc.constantFrom('2025-06-18', '2024-11-05', '1999-01-01', '', 'x') }),
      origin: fc.oneof({ weight: 8, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: fc.constantFrom('https://evil.example', 'null', '') }),
      body: mcpBody,
    })
    .map(({ method, query, auth, contentType, accept, version, origin, body }): RawExchange => {
      const headers: Record<string, string> = { accept, 'content-type': contentType };
      if (auth !== undefined) headers.authorization = auth.replace(/[^\t\x20-\x7e\x80-\xff]/g, '');
      if (version !== undefined) headers['mcp-protocol-version'] = version;
      if (origin !== undefined) headers.origin = origin;
      return { method, path: `/api/mcp${query}`, headers, body: method === 'GET' ? undefined : body };
    });

// ------------------------------------------------------------------ the runs

describe('hostile input (issue 10): no 5xx, every error answer in the API’s own format', () => {
  let kg: Keygate;
  let base: URL;
  let jwt: string;
  let token: string;

  beforeAll(async () => {
    kg = await bootKeygate({
      env: {
        KEYGATE_RATE_LIMIT_PER_MINUTE: '100000000',
        KEYGATE_AUTH_FAILURES_PER_MINUTE: '100000000',
        // The example product tool, so fuzzed arguments reach a plugin tool's schema and handler too.
        KEYGATE_TOOL_MODULES: './dist/examples/tools/list-clients.tool.js',
      },
    });
    base = new URL(kg.url);
    jwt = await signJwt({ ...root('fuzz', 'acme'), permissions: ['settings:view', 'settings:edit', 'clients:read'] });
    ({ token } = await kg.mintKey(jwt, 'fuzzed'));
  }, 60_000);

  afterAll(async () => {
    closeAgent();
    await kg?.close();
    console.log(
      `[hostile input] ${tally.cases} generated requests (seed ${seed}), ${tally.fiveXx} answered 5xx; answers by status ${JSON.stringify(tally.byStatus)}`,
    );
  });

  const runBatch = async (batch: RawExchange[], verdict: typeof restVerdict) => {
    const answers = await Promise.all(batch.map((x) => send(base, x)));
    const bad: string[] = [];
    answers.forEach((a, i) => {
      tally.cases++;
      tally.byStatus[a.status] = (tally.byStatus[a.status] ?? 0) + 1;
      if (a.status >= 500) tally.fiveXx++;
      // HEAD answers carry no body to check.
      const v = batch[i].method === 'HEAD' ? (a.status >= 500 ? `5xx ${a.status}` : null) : verdict(a);
      if (v) bad.push(`${batch[i].method} ${batch[i].path.slice(0, 120)} ${JSON.stringify(batch[i].headers).slice(0, 200)} body ${String(batch[i].body ?? '').slice(0, 120)} → ${v}`);
    });
    if (bad.length) throw new Error(bad.join('\n'));
  };

  it('the findings, verbatim', async () => {
    const deepObject = '{"a":'.repeat(3000) + '1' + '}'.repeat(3000);
    const deepArray = '['.repeat(1500) + ']'.repeat(1500);
    const json = { authorization: `Bearer ${jwt}`, 'content-type': 'application/json' };
    const mcp = { authorization: `Bearer ${token}`, 'content-type': 'application/json', accept: 'application/json, text/event-stream' };
    const rest: RawExchange[] = [
      { method: 'POST', path: '/api/keys', headers: json, body: deepObject },
      { method: 'POST', path: '/api/keys', headers: json, body: deepArray },
      { method: 'POST', path: '/api/keys/%zz/revoke', headers: { authorization: `Bearer ${jwt}` } },
      { method: 'DELETE', path: '/api/keys/%zz', headers: { authorization: `Bearer ${jwt}` } },
      { method: 'DELETE', path: `/api/keys/${'a'.repeat(101)}`, headers: { authorization: `Bearer ${jwt}` } },
      { method: 'POST', path: '/api/keys', headers: json, body: JSON.stringify({ label: 'x'.repeat(20_000) }) },
    ];
    await runBatch(rest, restVerdict);
    const rpcs: RawExchange[] = [
      ...[5, null, {}, [], true, { toString: 1 }].map((name) => ({ method: 'POST', path: '/api/mcp', headers: mcp, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name } }) })),
      { method: 'POST', path: '/api/mcp', headers: { ...mcp, 'content-type': '' }, body: '{}' },
      { method: 'POST', path: '/api/mcp', headers: mcp, body: deepObject },
      { method: 'POST', path: '/api/mcp', headers: mcp, body: deepArray },
    ];
    await runBatch(rpcs, mcpVerdict);
  });

  it(`settings API: ${REST_RUNS * BATCH} generated requests over every body, query and path`, async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(restRequest(jwt), { minLength: BATCH, maxLength: BATCH }), (batch) => runBatch(batch, restVerdict)),
      { numRuns: REST_RUNS, seed, endOnFailure: true },
    );
  }, 120_000);

  it(`MCP endpoint: ${MCP_RUNS * BATCH} generated JSON-RPC messages, headers and Authorization values`, async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(mcpRequest(token), { minLength: BATCH, maxLength: BATCH }), (batch) => runBatch(batch, mcpVerdict)),
      { numRuns: MCP_RUNS, seed, endOnFailure: true },
    );
  }, 120_000);

  it('counted at least 10,000 generated requests and no 5xx', () => {
    expect(tally.fiveXx).toBe(0);
    expect(tally.cases).toBeGreaterThanOrEqual(10_000);
  });
});
