import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LATEST_PROTOCOL_VERSION } from '@modelcontextprotocol/sdk/types.js';
import { bootKeygate, signJwt, type Keygate } from '#test-support/keygate-harness';
import { callRequest, mcpRaw } from '#test-support/mcp-client';

// A client that closes its connection before the answer cancels its tool: the tool's signal aborts, so a long
// tool stops working for nobody (and holds no slot until the request timeout).
describe('an MCP client gone before its answer', () => {
  let dir: string;
  let marker: string;
  let started: string;
  let plugin: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'keygate-client-gone-'));
    marker = join(dir, 'cancelled');
    started = join(dir, 'started');
    plugin = join(dir, 'waits.tool.mjs');
    writeFileSync(
      plugin,
      `import { appendFileSync } from 'node:fs';
      export default { name: 'wait_for_cancel', description: 'Works until cancelled (test plugin).', requiredPermission: null,
        annotations: { readOnlyHint: true }, inputSchema: {},
        async handler(_args, context) {
          appendFileSync(${JSON.stringify(started)}, 'x');
          await new Promise((resolve) => context.signal.addEventListener('abort', resolve, { once: true }));
          appendFileSync(${JSON.stringify(marker)}, 'x');
          return { content: [{ type: 'text', text: 'cancelled' }] };
        } };`,
    );
  });
  let kg: Keygate;
  afterAll(async () => {
    await kg?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Waits until the file holds `count` marks (one per call that started, or that saw its abort). */
  const waitFor = async (file: string, ms: number, count = 1) => {
    const marks = () => (existsSync(file) ? readFileSync(file, 'utf8').length : 0);
    for (const until = Date.now() + ms; Date.now() < until && marks() < count; ) await new Promise((resolve) => setTimeout(resolve, 20));
    return marks() >= count;
  };

  /** POSTs a body over a connection of its own; the returned function closes it. */
  const openCall = (token: string, body: string, protocolVersion: string = LATEST_PROTOCOL_VERSION) => {
    const call = request(`${kg.url}/api/mcp`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${token}`,
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
        'mcp-protocol-version': protocolVersion,
        'content-length': Buffer.byteLength(body),
      },
    });
    call.on('error', () => undefined);
    call.end(body);
    return () => call.destroy();
  };

  it("aborts the tool's signal when the client closes its connection", async () => {
    kg = await bootKeygate({ env: { KEYGATE_TOOL_MODULES: plugin } });
    const { token } = await kg.mintKey(await signJwt({ sub: 'alice', company: 'acme', role: 'root', permissions: ['settings:view'] }), 'gone');
    // The key's first use verifies its argon2id hash: done before, so the call below reaches the tool at once.
    expect((await mcpRaw(kg.url, { token, body: callRequest('whoami') })).status).toBe(200);

    // 1. A call of the tool over a connection of its own, closed once the tool has started.
    const close = openCall(token, JSON.stringify(callRequest('wait_for_cancel')));
    try {
      expect(await waitFor(started, 5_000)).toBe(true);
    } finally {
      close();
    }

    // 2. The tool sees its signal abort (without the hook it waits for the request timeout, 30 s away).
    expect(await waitFor(marker, 5_000)).toBe(true);

    // 3. A batch (protocol 2025-03-26 has them) of 12 calls on one connection: closing it cancels every one.
    rmSync(started, { force: true });
    rmSync(marker, { force: true });
    const batch = Array.from({ length: 12 }, (_, i) => callRequest('wait_for_cancel', {}, i + 1));
    const closeBatch = openCall(token, JSON.stringify(batch), '2025-03-26');
    try {
      expect(await waitFor(started, 5_000, 12)).toBe(true);
    } finally {
      closeBatch();
    }
    expect(await waitFor(marker, 5_000, 12)).toBe(true);
  });
});
