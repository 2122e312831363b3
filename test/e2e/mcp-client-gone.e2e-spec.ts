import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LATEST_PROTOCOL_VERSION } from '@modelcontextprotocol/sdk/types.js';
import { bootKeygate, signJwt, type Keygate } from '#test-support/keygate-harness';
import { callRequest, mcpRaw } from '#test-support/mcp-client';

// A client that closes its connection before the answer cancels its tool: the tool's signal aborts, so a long
// tool stops working for nobody (and holds no slot until the request timeout).
describe('an MCP client gone before its answer', () => {
  const dir = mkdtempSync(join(tmpdir(), 'keygate-client-gone-'));
  const marker = join(dir, 'cancelled');
  const started = join(dir, 'started');
  const plugin = join(dir, 'waits.tool.mjs');
  writeFileSync(
    plugin,
    `import { writeFileSync } from 'node:fs';
    export default { name: 'wait_for_cancel', description: 'Works until cancelled (test plugin).', requiredPermission: null,
      annotations: { readOnlyHint: true }, inputSchema: {},
      async handler(_args, context) {
        writeFileSync(${JSON.stringify(started)}, 'yes');
        await new Promise((resolve) => context.signal.addEventListener('abort', resolve, { once: true }));
        writeFileSync(${JSON.stringify(marker)}, 'yes');
        return { content: [{ type: 'text', text: 'cancelled' }] };
      } };`,
  );
  let kg: Keygate;
  afterAll(async () => {
    await kg?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const waitFor = async (file: string, ms: number) => {
    for (const until = Date.now() + ms; Date.now() < until; ) {
      if (existsSync(file)) return true;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    return existsSync(file);
  };

  it("aborts the tool's signal when the client closes its connection", async () => {
    kg = await bootKeygate({ env: { KEYGATE_TOOL_MODULES: plugin } });
    const { token } = await kg.mintKey(await signJwt({ sub: 'alice', company: 'acme', role: 'root', permissions: ['settings:view'] }), 'gone');
    // The key's first use verifies its argon2id hash: done before, so the call below reaches the tool at once.
    expect((await mcpRaw(kg.url, { token, body: callRequest('whoami') })).status).toBe(200);

    // 1. A call of the tool over a connection of its own, closed once the tool has started.
    const body = JSON.stringify(callRequest('wait_for_cancel'));
    const call = request(`${kg.url}/api/mcp`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${token}`,
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
        'mcp-protocol-version': LATEST_PROTOCOL_VERSION,
        'content-length': Buffer.byteLength(body),
      },
    });
    call.on('error', () => undefined);
    call.end(body);
    expect(await waitFor(started, 5_000)).toBe(true);
    call.destroy();

    // 2. The tool sees its signal abort (without the hook it waits for the request timeout, minutes away).
    expect(await waitFor(marker, 5_000)).toBe(true);
  });
});
