import { Writable } from 'node:stream';
import { createLogger } from '#logging';
import { bootKeygate, JWT_SECRET, root, secretOf, signJwt, type Keygate } from '#test-support/keygate-harness';
import { connectMcp, mcpRaw, callRequest } from '#test-support/mcp-client';

// "The token is in no log line": checked with the real logger (createLogger, its redaction and serializers) at
// trace level over a whole flow, every line captured. Every other e2e app boots with a silent logger.

describe('log redaction over a full flow, at trace level', () => {
  const lines: string[] = [];
  let kg: Keygate;

  beforeAll(async () => {
    const sink = new Writable({
      write(chunk, _encoding, done) {
        lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
        done();
      },
    });
    kg = await bootKeygate({ logger: createLogger('trace', sink), env: { LOG_LEVEL: 'trace' } });
  });
  afterAll(() => kg?.close());

  it('no key, no secret, no JWT and no signing secret in any line; the URLs that carried them are logged redacted', async () => {
    const ruth = await signJwt({ ...root('ruth', 'acme'), permissions: ['settings:view', 'settings:edit'] });
    const { key, token } = await kg.mintKey(ruth, 'logged flow');

    // The MCP SDK's client with the key: initialize, tools/list, tools/call.
    const client = await connectMcp(kg.url, token, 'log-test');
    await client.listTools();
    await client.callTool({ name: 'whoami', arguments: {} });
    await client.callTool({ name: 'list_api_keys', arguments: {} });
    await client.close();

    // Mistakes that put credentials where logs look: a key and a JWT in the URL, an API key on the settings API,
    // a wrong secret for a real key id.
    expect((await mcpRaw(kg.url, { query: `?api_key=${token}`, body: callRequest('whoami') })).status).toBe(401);
    expect((await kg.api().get(`/api/keys?access_token=${ruth}`)).status).toBe(401);
    expect((await kg.api(token).get('/api/keys')).status).toBe(401);
    const wrong = `kg_${key.id}_${'A'.repeat(24)}000000`;
    expect((await mcpRaw(kg.url, { token: wrong, body: callRequest('whoami') })).status).toBe(401);

    // Revoke, then the key once more (401 revoked).
    expect((await kg.api(ruth).post(`/api/keys/${key.id}/revoke`)).status).toBe(200);
    expect((await mcpRaw(kg.url, { token, body: callRequest('whoami') })).status).toBe(401);
    await kg.keygate.usage.drain();

    const log = lines.join('\n');
    const levels = new Set(lines.map((l) => JSON.parse(l).level));
    process.stderr.write(`[log-redaction] ${lines.length} lines captured, levels ${[...levels].sort().join(',')}\n`);
    // The capture works and is the real thing: the app's own logger, at trace (whatever Keygate and its libraries
    // log at any level reaches it; today nothing logs below info), many lines, requests with their URL.
    expect(kg.keygate.logger.level).toBe('trace');
    expect(lines.length).toBeGreaterThan(20);
    expect(log).toContain(key.id); // the key id is not a secret, and shows the lines are about this key

    const secret = secretOf(token, key.id);
    for (const [what, value] of [
      ['the token', token],
      ['its secret part', secret],
      ['the wrong secret', wrong],
      ['the JWT', ruth],
      ["the JWT's signature", ruth.split('.')[2]],
      ['the signing secret', JWT_SECRET],
    ] as const) {
      const at = log.indexOf(value);
      if (at >= 0) throw new Error(`${what} is in the log: …${log.slice(Math.max(0, at - 200), at + 50)}…`);
    }
    // Anything token-shaped at all: a key with its secret, a three-part JWT.
    expect(log).not.toMatch(/kg_[0-9A-Za-z]{12}_[0-9A-Za-z]{24}/);
    expect(log).not.toMatch(/eyJ[\w-]+\.[\w-]+\.[\w-]+/);
    // The URLs were logged, with the credential cut out.
    expect(log).toMatch(/"url":"\/api\/mcp\?api_key=kg_[0-9A-Za-z]{12}\[REDACTED\]"/);
    expect(log).toMatch(/"url":"\/api\/keys\?access_token=\[REDACTED-JWT\]"/);
  });
});
