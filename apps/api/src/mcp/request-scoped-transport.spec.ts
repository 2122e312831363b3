import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { AuthInfo } from '@modelcontextprotocol/sdk/server/auth/types.js';
import { ErrorCode, LATEST_PROTOCOL_VERSION } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import { RequestScopedTransport, type McpHttpRequest } from './request-scoped-transport.js';

/**
 * The transport alone, on the SDK's real McpServer: every caller shares one server, so the transport is what
 * keeps their answers, cancels and timeouts apart (it renames each request's id on the way in and back).
 */
const auth = (clientId: string): AuthInfo => ({ token: '', clientId, scopes: [] });
const HEADERS = { accept: 'application/json, text/event-stream', 'content-type': 'application/json', 'mcp-protocol-version': LATEST_PROTOCOL_VERSION };
const request = (body: unknown, o: Partial<McpHttpRequest> = {}): McpHttpRequest => ({
  method: 'POST',
  headers: HEADERS,
  body: JSON.stringify(body),
  authInfo: auth('key-a'),
  ...o,
});
const call = (id: number | string, name: string, args: Record<string, unknown> = {}) => ({
  jsonrpc: '2.0',
  id,
  method: 'tools/call',
  params: { name, arguments: args },
});
const textOf = (body: any): string => body.result.content[0].text;

describe('RequestScopedTransport', () => {
  let transport: RequestScopedTransport;
  let server: McpServer;
  const released: (() => void)[] = [];
  let aborted: string[] = [];

  const boot = async (timeoutMs = 30_000) => {
    transport = new RequestScopedTransport(timeoutMs);
    server = new McpServer({ name: 'test', version: '1.0.0' });
    aborted = [];
    // Answers with the caller's key after a delay of its choosing: concurrent answers come back out of order.
    server.registerTool('echo_key', { inputSchema: { delayMs: z.number().int().min(0).max(200) } }, async ({ delayMs }, extra) => {
      await new Promise((r) => setTimeout(r, delayMs));
      return { content: [{ type: 'text', text: String(extra.authInfo?.clientId) }] };
    });
    // Never answers by itself: only a cancel, a timeout or a disconnect ends it.
    server.registerTool('hang', { inputSchema: {} }, async (_args, extra) => {
      await new Promise<void>((resolve) => {
        released.push(resolve);
        extra.signal.addEventListener('abort', () => (aborted.push(String(extra.authInfo?.clientId)), resolve()), { once: true });
      });
      return { content: [{ type: 'text', text: 'released' }] };
    });
    await server.connect(transport);
  };

  afterEach(async () => {
    for (const r of released.splice(0)) r();
    await server?.close();
  });

  it('gives 60 concurrent callers of 6 different keys, all using JSON-RPC id 1, each its own answer', async () => {
    await boot();
    const keys = Array.from({ length: 60 }, (_, i) => `key-${i % 6}-${i}`);
    const answers = await Promise.all(
      keys.map((key, i) => transport.handle(request(call(1, 'echo_key', { delayMs: (i * 37) % 50 }), { authInfo: auth(key) }))),
    );
    expect(answers.map((a) => a.status)).toEqual(keys.map(() => 200));
    expect(answers.map((a) => [(a.body as any).id, textOf(a.body)])).toEqual(keys.map((key) => [1, key]));
    expect(transport.pendingCount).toBe(0);
  });

  it('never lets one caller cancel another: client notifications are not forwarded', async () => {
    await boot();
    const a = transport.handle(request(call(1, 'echo_key', { delayMs: 50 }), { authInfo: auth('key-a') }));
    // B names id 1, A's id: on a shared server a forwarded cancel would reach A's request.
    const b = await transport.handle(
      request({ jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: 1, reason: 'x' } }, { authInfo: auth('key-b') }),
    );
    expect(b.status).toBe(202);
    expect(textOf((await a).body)).toBe('key-a');
  });

  it('cancels only the disconnected caller\'s request', async () => {
    await boot();
    const gone = new AbortController();
    const a = transport.handle(request(call(7, 'hang'), { authInfo: auth('key-a'), onClientGone: (listener) => gone.signal.addEventListener('abort', listener, { once: true }) }));
    const b = transport.handle(request(call(7, 'echo_key', { delayMs: 30 }), { authInfo: auth('key-b') }));
    await new Promise((r) => setTimeout(r, 10));
    gone.abort();
    expect((await a).body).toMatchObject({ id: 7, error: { code: ErrorCode.ConnectionClosed } });
    expect(textOf((await b).body)).toBe('key-b');
    expect(aborted).toEqual(['key-a']);
  });

  it('times a stuck tool out with its own id, and the tool sees the abort', async () => {
    await boot(50);
    const answer = await transport.handle(request(call('t-1', 'hang')));
    expect(answer.body).toMatchObject({ id: 't-1', error: { code: ErrorCode.RequestTimeout } });
    expect(aborted).toEqual(['key-a']);
  });

  it('answers 503 once closed, and closing answers what was pending', async () => {
    await boot();
    const pending = transport.handle(request(call(3, 'hang')));
    await new Promise((r) => setTimeout(r, 10));
    await transport.close();
    expect((await pending).body).toMatchObject({ id: 3, error: { code: ErrorCode.ConnectionClosed } });
    expect((await transport.handle(request(call(4, 'echo_key', { delayMs: 0 })))).status).toBe(503);
  });

  it.each([
    ['GET', { method: 'GET' }, 405],
    ['DELETE', { method: 'DELETE' }, 405],
    ['no Accept of event-stream', { headers: { ...HEADERS, accept: 'application/json' } }, 406],
    ['an empty Content-Type', { headers: { ...HEADERS, 'content-type': '' } }, 415],
    ['text/plain', { headers: { ...HEADERS, 'content-type': 'text/plain' } }, 415],
    ['a protocol version it does not speak', { headers: { ...HEADERS, 'mcp-protocol-version': '1999-01-01' } }, 400],
  ])('refuses %s in JSON-RPC terms', async (_, o, status) => {
    await boot();
    const answer = await transport.handle(request(call(1, 'echo_key', { delayMs: 0 }), o as Partial<McpHttpRequest>));
    expect(answer.status).toBe(status);
    expect(answer.body).toMatchObject({ jsonrpc: '2.0', id: null, error: { code: expect.any(Number), message: expect.any(String) } });
  });

  it('answers -32700 for bad JSON and -32600 for what is not JSON-RPC', async () => {
    await boot();
    expect((await transport.handle(request(undefined, { body: '{"jsonrpc":' }))).body).toMatchObject({ error: { code: ErrorCode.ParseError } });
    for (const body of [{ hello: 1 }, { jsonrpc: '1.0', id: 1, method: 'x' }, 42, null]) {
      const answer = await transport.handle(request(body));
      expect({ body, status: answer.status, code: (answer.body as any).error?.code }).toEqual({ body, status: 400, code: ErrorCode.InvalidRequest });
    }
  });

  it('takes batches only before 2025-06-18, 1 to 100 messages, without initialize', async () => {
    await boot();
    const old = { headers: { ...HEADERS, 'mcp-protocol-version': '2025-03-26' } };
    const two = await transport.handle(request([call(1, 'echo_key', { delayMs: 5 }), call(2, 'echo_key', { delayMs: 0 })], old));
    expect((two.body as any[]).map((b) => b.id)).toEqual([1, 2]);
    expect((await transport.handle(request([call(1, 'echo_key', { delayMs: 0 })]))).status).toBe(400);
    expect((await transport.handle(request([], old))).status).toBe(400);
    expect((await transport.handle(request(Array.from({ length: 101 }, (_, i) => call(i, 'echo_key', { delayMs: 0 })), old))).status).toBe(400);
    const init = { jsonrpc: '2.0', id: 9, method: 'initialize', params: { protocolVersion: '2025-03-26', capabilities: {}, clientInfo: { name: 'x', version: '1' } } };
    expect((await transport.handle(request([init], old))).status).toBe(400);
  });

  it('answers 202 with no body to notifications and responses alone', async () => {
    await boot();
    const answer = await transport.handle(request({ jsonrpc: '2.0', method: 'notifications/initialized' }));
    expect(answer).toEqual({ status: 202, headers: {} });
  });
});
