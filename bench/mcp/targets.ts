import 'reflect-metadata';
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { verify as argon2Verify } from '@node-rs/argon2';
import { SignJWT } from 'jose';
import { pino } from 'pino';
import { loadConfig, type KeygateConfig } from '#config';
import { actorOf, createKeygateApp, RequestScopedTransport, whoami, type KeygateApp } from '#api';
import { ApiKeyGuard, parseToken, type GuardVerdict, type HotKey } from '#keys';

export const MCP_PATH = '/api/mcp';
const JWT_SECRET = 'keygate-mcp-bench-secret-0123456789abcdefghijklmnopqrstuvwxyz';

/** The request every target answers: tools/call of whoami, as an MCP client sends it. */
export const whoamiCall = (token: string): { headers: Record<string, string>; body: string } => ({
  headers: {
    authorization: `Bearer ${token}`,
    'content-type': 'application/json',
    accept: 'application/json, text/event-stream',
    'mcp-protocol-version': '2025-11-25',
  },
  body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'whoami', arguments: {} } }),
});

export interface Target {
  name: string;
  url: string;
  close(): Promise<void>;
}

const listen = async (app: { listen(options: { port: number; host: string }): Promise<unknown> }, server: () => unknown) => {
  await app.listen({ port: 0, host: '127.0.0.1' });
  const { address, port } = server() as AddressInfo;
  return `http://${address}:${port}${MCP_PATH}`;
};

// ---------------------------------------------------------------- (a) Keygate as built

export interface BuiltKeygate extends Target {
  keygate: KeygateApp;
  config: KeygateConfig;
  token: string;
  keyId: string;
  /** The minted key's entry in the guard's hot table. */
  hotKey: HotKey;
}

/** createKeygateApp on a fresh data directory, silent logs, a rate limit the bench never reaches; one key minted over REST. */
export const bootKeygate = async (
  rateLimitPerMinute = 100_000_000,
  /** Experiments only: parts of the app left off (the bench measures the app as built). */
  parts: { startDigestWriter?: boolean; startWebhookDelivery?: boolean } = {},
): Promise<BuiltKeygate> => {
  const dataDir = mkdtempSync(join(tmpdir(), 'keygate-mcp-bench-'));
  const config = loadConfig({
    KEYGATE_DATA_DIR: dataDir,
    KEYGATE_JWT_SECRET: JWT_SECRET,
    LOG_LEVEL: 'silent',
    KEYGATE_RATE_LIMIT_PER_MINUTE: String(rateLimitPerMinute),
  });
  // No expiry sweeper: its once-a-minute tick is not part of the request path and would land in one run only.
  const keygate = await createKeygateApp(config, { logger: pino({ level: 'silent' }), startSweeper: false, ...parts });
  const url = await listen(keygate.app, () => keygate.app.getHttpServer().address());
  const base = url.slice(0, -MCP_PATH.length);

  // Mint through the REST API, as a user would: acknowledgement, then mint, with an HS256 JWT.
  const jwt = await new SignJWT({ name: 'Bench', company: 'bench-co', role: 'root', permissions: [] })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject('bench-user')
    .setIssuedAt()
    .setExpirationTime('1h')
    .sign(new TextEncoder().encode(JWT_SECRET));
  const post = async (path: string, body?: unknown) => {
    const res = await fetch(`${base}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${jwt}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    if (res.status !== 201) throw new Error(`POST ${path}: expected 201, got ${res.status} ${text}`);
    return JSON.parse(text) as Record<string, any>;
  };
  const { acknowledgementId } = await post('/api/keys/acknowledgements');
  const minted = await post('/api/keys', { acknowledgementId, label: 'mcp bench' });
  const token = minted.token as string;
  const keyId = parseToken(token)?.keyId;
  if (!keyId) throw new Error(`the mint answer holds no well-formed token: ${JSON.stringify(minted)}`);
  // The mint answered after read-your-writes, so the hot table already has the key.
  const hotKey = keygate.runtime.hotKeys.get(keyId);
  if (!hotKey || hotKey.status !== 'active') throw new Error(`key ${keyId} is not active in the hot table`);

  return {
    name: 'keygate',
    url,
    keygate,
    config,
    token,
    keyId,
    hotKey,
    async close() {
      await keygate.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
};

// ---------------------------------------------------------------- (b) the same endpoint, guard bypassed

/**
 * "Authentication off" for (a)'s own server. The app has no such switch; this replaces
 * ApiKeyGuard.prototype.check, for as long as it is off, with a function answering the verdict the guard
 * gives (a)'s key on its cached path. So (b) is the very same process objects as (a): the same Fastify
 * instance and port, Nest hooks, endpoint closure, KeygateMcpServer, UsageRecorder (KeyUsed still recorded
 * by group commit) and SQLite runtime; the one difference is the guard call. Only one of (a)/(b) is under
 * load at a time, so the swap never mixes them; every run begins with a warm-up after the swap.
 *
 * (A separate app built by mirroring createKeygateApp drifts from it: e3761ce removed its Fastify error
 * handler while this bench was being written.)
 */
export interface AuthSwitch {
  /** Guard as built. */
  on(): void;
  /** Guard call replaced by (a)'s verdict. */
  off(): void;
  readonly isOff: boolean;
}

export const authSwitch = (built: BuiltKeygate): AuthSwitch => {
  const proto = ApiKeyGuard.prototype;
  const original = proto.check;
  const limit = built.config.rateLimitPerMinute;
  const verdict: GuardVerdict = { ok: true, key: built.hotKey, rate: { allowed: true, limit, remaining: limit - 1, resetSeconds: 60 }, replacement: null };
  const bypass = function (this: ApiKeyGuard, _authorization: string | undefined, _nowMs: number): GuardVerdict {
    return verdict;
  };
  let off = false;
  return {
    on() {
      proto.check = original;
      off = false;
    },
    off() {
      proto.check = bypass;
      off = true;
    },
    get isOff() {
      return off;
    },
  };
};

// ---------------------------------------------------------------- (c) the documented way

/**
 * The naive implementation the issue compares against: per request, argon2id verify of the secret
 * against the key's stored verifier (no verdict cache), then a new McpServer and a new
 * StreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true }), as in the
 * SDK's stateless example, with the same whoami tool (Keygate's own handler, so the answer is the same).
 *
 * Deliberately generous to the peer: the verifier comes from the in-memory hot table (no store read),
 * a bare Fastify instance (no Nest hooks), and no usage recording.
 */
export const bootDocumentedPeer = async (keygate: KeygateApp): Promise<Target> => {
  const { runtime } = keygate;
  // The same buses Keygate's own tools dispatch to (whoami uses neither).
  const buses = { commands: keygate.app.get(CommandBus), queries: keygate.app.get(QueryBus) };
  const adapter = new FastifyAdapter({ logger: false });
  const fastify = adapter.getInstance();
  const unauthorized = (reply: { code(n: number): { send(body: unknown): unknown } }) =>
    reply.code(401).send({ jsonrpc: '2.0', error: { code: -32001, message: 'Unauthorized' }, id: null });

  fastify.post(MCP_PATH, async (request, reply) => {
    const authorization = request.headers.authorization ?? '';
    const parsed = authorization.startsWith('Bearer ') ? parseToken(authorization.slice(7).trim()) : null;
    const key = parsed ? runtime.hotKeys.get(parsed.keyId) : undefined;
    if (!parsed || !key || key.status !== 'active' || Date.now() >= key.expiresAtMs) return unauthorized(reply);
    let ok = false;
    try {
      ok = await argon2Verify(key.verifier, parsed.secret);
    } catch {
      ok = false;
    }
    if (!ok) return unauthorized(reply);

    const server = new McpServer({ name: 'peer', version: '1.0.0' });
    server.registerTool(whoami.name, { description: whoami.description, inputSchema: whoami.inputSchema }, async (_args, extra) =>
      whoami.handler({}, { key, actor: actorOf(key), ...buses, requestId: String(request.id), signal: extra.signal }),
    );
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
    reply.raw.on('close', () => {
      void transport.close();
      void server.close();
    });
    await server.connect(transport);
    reply.hijack();
    await transport.handleRequest(request.raw, reply.raw, request.body);
  });
  await fastify.ready();
  const url = await listen(fastify, () => fastify.server.address());
  return {
    name: 'documented way',
    url,
    async close() {
      await fastify.close();
    },
  };
};

// ---------------------------------------------------------------- (s) the MCP SDK alone, one long-lived server

/**
 * The floor the SDK sets, as the issue measured it ("the MCP SDK on one long-lived server on Fastify, guard stubbed,
 * nothing recorded"): a bare Fastify POST route (no Nest hooks, no body checks), one McpServer holding the same
 * whoami tool (Keygate's own handler, on (a)'s key), connected once to the transport (a) uses, so the SDK does all
 * the protocol handling as in (a). No guard, no rate limit, no usage, no headers of Keygate's; the body read as text
 * and parsed by the transport, as (a) reads it. Every request runs what (a) cannot do without: a/f should be at
 * most s/f.
 */
export const bootSdkAlone = async (built: BuiltKeygate): Promise<Target> => {
  const buses = { commands: built.keygate.app.get(CommandBus), queries: built.keygate.app.get(QueryBus) };
  const key = built.hotKey;
  const server = new McpServer({ name: 'keygate', version: '0.1.0' });
  server.registerTool(whoami.name, { description: whoami.description, inputSchema: whoami.inputSchema }, async (_args, extra) =>
    whoami.handler({}, { key, actor: actorOf(key), ...buses, requestId: String(extra.requestId), signal: extra.signal }),
  );
  const transport = new RequestScopedTransport();
  await server.connect(transport);
  const authInfo = { token: '', clientId: key.keyId, scopes: [] };
  const fastify = new FastifyAdapter({ logger: false }).getInstance();
  fastify.removeAllContentTypeParsers();
  fastify.addContentTypeParser('*', { parseAs: 'string' }, (_request, body, done) => done(null, body));
  fastify.post(MCP_PATH, async (request, reply) => {
    const response = await transport.handle({ method: request.method, headers: request.headers, body: request.body, authInfo });
    reply.code(response.status).headers(response.headers);
    return response.body === undefined ? reply.send() : reply.send(response.body);
  });
  await fastify.ready();
  const url = await listen(fastify, () => fastify.server.address());
  return {
    name: 'SDK alone',
    url,
    async close() {
      await fastify.close();
      await server.close();
    },
  };
};

// ---------------------------------------------------------------- usage off: (a)'s server recording nothing

/**
 * "Usage recording off" for (a)'s own server, as authSwitch does for the guard: for as long as it is off, the
 * UsageRecorder's record() (touch() goes through it) answers at once and writes nothing. Everything else (guard,
 * SDK, projections following the log, which then has nothing new) is (a)'s.
 */
export const usageSwitch = (built: BuiltKeygate): { on(): void; off(): void } => {
  const usage = built.keygate.usage;
  const original = usage.record;
  return {
    on() {
      usage.record = original;
    },
    off() {
      usage.record = () => Promise.resolve();
    },
  };
};

// ---------------------------------------------------------------- a bare Fastify route, the same answer

/** The floor of an HTTP answer on this machine: a bare Fastify POST route answering (a)'s exact whoami body. */
export const bootBareFastify = async (body: string): Promise<Target> => {
  const fastify = new FastifyAdapter({ logger: false }).getInstance();
  fastify.post(MCP_PATH, async (_request, reply) => reply.header('content-type', 'application/json').send(body));
  await fastify.ready();
  const url = await listen(fastify, () => fastify.server.address());
  return {
    name: 'bare Fastify',
    url,
    async close() {
      await fastify.close();
    },
  };
};
