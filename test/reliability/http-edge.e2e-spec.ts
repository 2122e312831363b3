import { connect, type Socket } from 'node:net';
import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { rmSync } from 'node:fs';
import { pino } from 'pino';
import { loadConfig } from '#config';
import { createKeygateApp, type KeygateApp } from '#api';
import { httpClient, JWT_SECRET, newDataDir, root, signJwt, TestClock } from '#test-support/keygate-harness';
import { rpc } from '#test-support/mcp-client';

// Issue 10, the HTTP edge in-process, with the body deadline shortened to 1 s (production: 10 s, see
// apps/api/src/mcp/http-hardening.ts) and KEYGATE_MAX_REQUEST_BYTES at 64 KiB so oversize bodies are quick to send.

const BODY_DEADLINE_MS = 1_000;
const MCP_LIMIT = 64 * 1024;

let keygate: KeygateApp;
let url: string;
let port: number;
let jwt: string;
let token: string;
const dataDir = newDataDir();

beforeAll(async () => {
  const config = loadConfig({ KEYGATE_DATA_DIR: dataDir, KEYGATE_JWT_SECRET: JWT_SECRET, LOG_LEVEL: 'silent', KEYGATE_MAX_REQUEST_BYTES: String(MCP_LIMIT) });
  keygate = await createKeygateApp(config, { clock: new TestClock(), logger: pino({ level: 'silent' }), startSweeper: false, http: { bodyTimeoutMs: BODY_DEADLINE_MS } });
  await keygate.app.listen({ port: 0, host: '127.0.0.1' });
  port = (keygate.app.getHttpServer().address() as AddressInfo).port;
  url = `http://127.0.0.1:${port}`;
  jwt = await signJwt(root('edge', 'acme'));
  const api = httpClient(url, jwt);
  const ack = await api.post('/api/keys/acknowledgements');
  const minted = await api.post('/api/keys', { acknowledgementId: ack.body.acknowledgementId, label: 'edge' });
  token = minted.body.token;
  expect(token).toMatch(/^kg_/);
}, 60_000);

afterAll(async () => {
  await keygate?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

const MCP_HEADERS = () => ({ authorization: `Bearer ${token}`, 'content-type': 'application/json', accept: 'application/json, text/event-stream' });

/** A raw connection that sends the head of a request, then the body a few bytes at a time; resolves with what came back. */
const trickle = (path: string, headers: Record<string, string>, declared: number, everyMs: number) =>
  new Promise<{ answer: string; closedAfterMs: number }>((resolve) => {
    const started = Date.now();
    const socket: Socket = connect(port, '127.0.0.1');
    let answer = '';
    const head = [`POST ${path} HTTP/1.1`, 'Host: x', `Content-Length: ${declared}`, ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`), '', ''].join('\r\n');
    socket.write(head);
    const tick = setInterval(() => {
      if (!socket.destroyed && socket.writable) socket.write('{"a":1,');
    }, everyMs);
    socket.on('data', (d) => (answer += d.toString()));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearInterval(tick);
      resolve({ answer, closedAfterMs: Date.now() - started });
    });
  });

const statusOf = (raw: string) => Number(/^HTTP\/1\.1 (\d{3})/.exec(raw)?.[1]);
const bodyOf = (raw: string) => JSON.parse(raw.slice(raw.indexOf('\r\n\r\n') + 4));

describe('the body deadline', () => {
  it.each([
    ['the settings API', '/api/keys', () => ({ authorization: `Bearer ${jwt}`, 'content-type': 'application/json' })],
    ['the MCP endpoint', '/api/mcp', MCP_HEADERS],
  ])('cuts off a client trickling its body to %s: 408 problem+json, connection closed', async (_name, path, headers) => {
    const { answer, closedAfterMs } = await trickle(path, headers(), 4_000, 100);
    console.log(`[slow client] ${path}: ${statusOf(answer)} after a trickled body, connection closed after ${closedAfterMs} ms (deadline ${BODY_DEADLINE_MS} ms)`);
    expect(statusOf(answer)).toBe(408);
    expect(answer).toMatch(/content-type: application\/problem\+json/i);
    expect(bodyOf(answer)).toMatchObject({ status: 408, detail: expect.stringMatching(/did not arrive within 1 s/) });
    expect(closedAfterMs).toBeGreaterThanOrEqual(BODY_DEADLINE_MS - 50);
    expect(closedAfterMs).toBeLessThan(BODY_DEADLINE_MS + 2_500);
  });
});

describe('oversize bodies', () => {
  const big = 'x'.repeat(1024 * 1024);

  it.each([
    ['/api/mcp', MCP_HEADERS],
    ['/api/keys', () => ({ authorization: `Bearer ${jwt}`, 'content-type': 'application/json' })],
  ])('%s: fetch reads the 413 problem+json 12 times of 12 (Content-Length and chunked)', async (path, headers) => {
    let read = 0;
    const failures: string[] = [];
    for (let i = 0; i < 12; i++) {
      for (const chunked of [false, true]) {
        try {
          const body = chunked
            ? new ReadableStream({
                start(c) {
                  for (let k = 0; k < 16; k++) c.enqueue(new TextEncoder().encode(big.slice(0, 64 * 1024)));
                  c.close();
                },
              })
            : big;
          const res = await fetch(url + path, { method: 'POST', headers: headers(), body, duplex: 'half' } as RequestInit);
          const problem = (await res.json()) as { status?: number };
          if (res.status === 413 && /application\/problem\+json/.test(res.headers.get('content-type') ?? '') && problem.status === 413) read++;
          else failures.push(`${res.status} ${JSON.stringify(problem)}`);
        } catch (error) {
          failures.push(`${chunked ? 'chunked' : 'sized'}: ${(error as Error).message} ${(error as { cause?: Error }).cause?.message ?? ''}`);
        }
      }
    }
    console.log(`[oversize, no Expect] ${path}: fetch read the 413 problem+json ${read} of 24 (12 with Content-Length, 12 chunked)`);
    expect(failures).toEqual([]);
    expect(read).toBe(24);
  });

  /** A request with "Expect: 100-continue": the body is sent only if the server invites it. */
  const expecting = (path: string, headers: Record<string, string>, body: string) =>
    new Promise<{ status: number; continued: boolean; type: string; json: any }>((resolve, reject) => {
      let continued = false;
      const req = httpRequest(
        { host: '127.0.0.1', port, method: 'POST', path, headers: { ...headers, expect: '100-continue', 'content-length': String(Buffer.byteLength(body)) } },
        (res) => {
          let text = '';
          res.on('data', (c) => (text += c));
          res.on('end', () => resolve({ status: res.statusCode!, continued, type: String(res.headers['content-type']), json: text ? JSON.parse(text) : undefined }));
        },
      );
      req.on('continue', () => {
        continued = true;
        req.end(body);
      });
      req.on('error', reject);
      req.flushHeaders();
    });

  it('with Expect: 100-continue, a body over the limit is refused without being invited, 12 times of 12', async () => {
    let read = 0;
    for (let i = 0; i < 12; i++) {
      const res = await expecting('/api/mcp', MCP_HEADERS(), big);
      if (res.status === 413 && !res.continued && /application\/problem\+json/.test(res.type) && res.json.status === 413) read++;
    }
    const rest = await expecting('/api/keys', { authorization: `Bearer ${jwt}`, 'content-type': 'application/json' }, big);
    console.log(`[oversize, Expect: 100-continue] /api/mcp: 413 problem+json without "100 Continue" ${read} of 12; /api/keys: ${rest.status}, continued ${rest.continued}`);
    expect(read).toBe(12);
    expect(rest).toMatchObject({ status: 413, continued: false });
  });

  it('with Expect: 100-continue, no key means 401 and no invitation; a valid request is invited and served', async () => {
    const body = JSON.stringify(rpc('tools/list'));
    const anonymous = await expecting('/api/mcp', { 'content-type': 'application/json', accept: 'application/json, text/event-stream' }, body);
    expect(anonymous).toMatchObject({ status: 401, continued: false, json: { status: 401 } });
    const served = await expecting('/api/mcp', MCP_HEADERS(), body);
    expect(served).toMatchObject({ status: 200, continued: true, json: { result: { tools: expect.any(Array) } } });
  });
});
