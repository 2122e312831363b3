import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ApiKeyGuard, GuardVerdict, KeyReplacement, RateDecision } from '#keys';
import type { KeygateMetrics } from '#metrics';
import type { Clock } from '#runtime';
import { ErrorCode } from '@modelcontextprotocol/sdk/types.js';
import { problemOf, sendProblem, toProblem } from '../problem/problem-details.filter.js';
import { jsonDepthExceeds } from './http-hardening.js';
import { clientInfoOf, remoteAddressOf } from './client-info.js';
import { toAuthInfo, type InsufficientScope, type McpRequestContext } from './mcp-request-context.js';
import { keyUsed, type KeygateMcpServer } from './mcp-server.js';
import type { UsageRecorder } from './usage-recorder.js';

export interface McpEndpointOptions {
  guard: ApiKeyGuard;
  mcp: KeygateMcpServer;
  usage: UsageRecorder;
  clock: Clock;
  bodyLimit: number;
  /** Deepest JSON nesting a message may have (checked on the raw text before it is parsed). */
  maxJsonDepth: number;
  /** Origins allowed to call from a browser; any other Origin header gets 403 (DNS-rebinding defence). */
  allowedOrigins: ReadonlySet<string>;
  metrics?: KeygateMetrics;
}

type Refusal = Exclude<GuardVerdict, { ok: true }>;

// A key in the URL ends up in proxies' and browsers' logs: refuse it, never use it.
const KEY_IN_QUERY = /[?&](?:[^=&]*=)?[^&]*kg_[0-9A-Za-z]{12}_/;

// No resource_metadata: there is no OAuth server to discover, and advertising one misleads clients.
// error_description may hold neither '"' nor a backslash (RFC 6750 §3): a description quoting the header would break the challenge.
/** A value inside a quoted-string of a challenge may hold neither '"' nor '\\' (RFC 6750 §3). */
const quoted = (text: string) => text.replace(/["\\]/g, "'");

const challenge = (description: string) => `Bearer realm="keygate", error="invalid_token", error_description="${quoted(description)}"`;

/**
 * A key in its rotation's overlap says so on every answer it gets (issue 15): the key replacing it, and when it
 * stops working as an RFC 8594 Sunset (an IMF-fixdate, which is what toUTCString writes).
 */
export const REPLACED_BY_HEADER = 'Keygate-Key-Replaced-By';
const replacementHeaders = (reply: FastifyReply, replacement: KeyReplacement) => {
  if (replacement.keyId !== null) reply.header(REPLACED_BY_HEADER, replacement.keyId);
  reply.header('Sunset', new Date(replacement.overlapEndsAtMs).toUTCString());
};

/**
 * A tools/call of a tool the key lacks permissions for, alone in its request: 403 with the challenge the MCP
 * authorization spec gives for insufficient scope (RFC 6750 §3.1), `scope` the permissions the call needs (the
 * spec's "minimum approach": a Keygate key's permissions never grow, so there is nothing to step up to; another
 * key is minted with them). No resource_metadata, as on the 401: there is no OAuth server to discover. The body
 * is problem+json like every other refusal of this endpoint at the HTTP level.
 */
const insufficientScope = (reply: FastifyReply, refused: InsufficientScope, requestId: string) => {
  // A read-only key refused a tool that writes: no permission would do, only a key that is not read only, so the
  // challenge names no scope (RFC 6750 makes it optional) and the description says why.
  const description = refused.readOnlyKey
    ? `This API key is read only (every permission it holds reads), and the tool ${refused.tool} changes data. Use a key minted with write permissions.`
    : `This API key lacks the permission(s) the tool ${refused.tool} needs: ${refused.missing.join(', ')}. A key keeps the permissions it was minted with; use a key that has them.`;
  const scope = refused.readOnlyKey ? '' : `, scope="${quoted(refused.missing.join(' '))}"`;
  reply.header('WWW-Authenticate', `Bearer realm="keygate", error="insufficient_scope"${scope}, error_description="${quoted(description)}"`);
  return sendProblem(reply, {
    type: 'urn:keygate:problem:insufficient-scope',
    title: 'Forbidden',
    status: 403,
    detail: description,
    instance: `urn:keygate:request:${requestId}`,
  });
};

const rateHeaders = (reply: FastifyReply, rate: RateDecision) =>
  reply
    .header('RateLimit-Limit', rate.limit)
    .header('RateLimit-Remaining', rate.remaining)
    .header('RateLimit-Reset', rate.resetSeconds)
    .header('RateLimit-Policy', `${rate.limit};w=60`);

/** Every refusal of the endpoint, as problem+json through the one writer the settings API uses too. */
const refuse = (reply: FastifyReply, verdict: Refusal | { status: 403; description: string }) => {
  if (verdict.status === 429) {
    if (verdict.rate) rateHeaders(reply, verdict.rate);
    if ('replacement' in verdict && verdict.replacement) replacementHeaders(reply, verdict.replacement);
    return sendProblem(reply, problemOf(429, verdict.description, verdict.retryAfterSeconds));
  }
  if (verdict.status === 403) return sendProblem(reply, problemOf(403, verdict.description));
  return sendProblem(reply, problemOf(401, verdict.description), challenge(verdict.description));
};

/** The checks a request passes before the guard sees its key: null when it may go on. */
const preflight = (request: FastifyRequest, allowedOrigins: ReadonlySet<string>): Refusal | { status: 403; description: string } | null => {
  if (KEY_IN_QUERY.test(request.url)) {
    return { ok: false, status: 401, description: 'API keys are accepted only in the Authorization header, never in the URL.' };
  }
  const origin = request.headers.origin;
  if (origin !== undefined && !allowedOrigins.has(origin)) return { status: 403, description: `Requests from origin ${origin.slice(0, 200)} are not allowed.` };
  return null;
};

/** Times the guard per outcome, with timers bound once (labels() per request would build its lookup key each time). */
const guardTimer = (metrics: KeygateMetrics | undefined) => {
  if (!metrics) return () => undefined;
  const timers = {
    ok: metrics.guardLatency.labels('ok'),
    unauthorized: metrics.guardLatency.labels('unauthorized'),
    rate_limited: metrics.guardLatency.labels('rate_limited'),
  };
  return (verdict: GuardVerdict, started: number) => {
    const outcome = verdict.ok ? 'ok' : verdict.status === 429 ? 'rate_limited' : 'unauthorized';
    timers[outcome].observe((performance.now() - started) / 1000);
    if (outcome === 'rate_limited') metrics.rateLimited.inc();
  };
};

/** A JSON-RPC error answer of an HTTP status, as the transport writes its own (request-scoped-transport.ts). */
const rpcError = (reply: FastifyReply, status: number, code: number, message: string) =>
  reply.code(status).header('content-type', 'application/json').send({ jsonrpc: '2.0', error: { code, message }, id: null });

/**
 * POST /api/mcp as a short pipeline: preflight → guard → per-request context → SDK → usage. A plain Fastify
 * route rather than a Nest controller: this is the hot path, and it needs the raw body (so the transport
 * answers 415 and -32700 in MCP's own terms). tools/call records its own use inside the SDK step
 * (mcp-server.ts); any other answered request "touches" the key (UsageRecorder.touch: once a minute).
 *
 * Preflight and guard run in onRequest, from the headers alone: a request without a valid key is answered
 * before a byte of its body is read (and is never sent "100 Continue"; http-hardening.ts drains what it sends).
 */
export const registerMcpEndpoint = (fastify: FastifyInstance, options: McpEndpointOptions): void => {
  const { guard, mcp, usage, clock, allowedOrigins } = options;
  const observe = guardTimer(options.metrics);
  const verdicts = new WeakMap<FastifyRequest, Extract<GuardVerdict, { ok: true }>>();

  const authenticate = async (request: FastifyRequest, reply: FastifyReply) => {
    const refused = preflight(request, allowedOrigins);
    if (refused) return refuse(reply, refused), reply;
    const started = performance.now();
    // The address is the failed-secret budget's key: a holder is never locked out by another source's wrong secrets.
    const verdict = await guard.check(request.headers.authorization, clock.now().getTime(), { source: request.ip });
    observe(verdict, started);
    if (!verdict.ok) return refuse(reply, verdict), reply;
    verdicts.set(request, verdict);
    // Here, not in the handler: every answer for the key carries them, also those Fastify raises before it (413, 415).
    if (verdict.replacement !== null) replacementHeaders(reply, verdict.replacement);
  };

  const serve = async (request: FastifyRequest, reply: FastifyReply) => {
    const verdict = verdicts.get(request);
    // onRequest set it or answered: a missing verdict is a wiring bug, never a reason to serve.
    if (!verdict) throw new Error('MCP request reached its handler without a guard verdict');
    rateHeaders(reply, verdict.rate);
    if (typeof request.body === 'string' && jsonDepthExceeds(request.body, options.maxJsonDepth)) {
      return rpcError(reply, 400, ErrorCode.InvalidRequest, `Invalid Request: JSON nested deeper than ${options.maxJsonDepth} levels.`);
    }
    // 1. The request's own context: the key, and what the request says of its client.
    const context: McpRequestContext = {
      key: verdict.key,
      requestId: request.id,
      remoteAddress: remoteAddressOf(request.ip),
      userAgent: (request.headers['user-agent'] as string | undefined) ?? null,
    };
    // 2. The SDK answers (tools/call records its KeyUsed before its answer is released).
    const gone: (() => void)[] = [];
    const response = await mcp.transport.handle({
      method: request.method,
      headers: request.headers,
      body: request.body,
      authInfo: toAuthInfo(context),
      // A socket closed before the answer was written: the client is gone, its tools are cancelled. One 'close'
      // listener for the request whatever the number of calls in its batch (up to 100).
      onClientGone: (listener) => {
        if (gone.length === 0) {
          reply.raw.once('close', () => {
            if (!reply.raw.writableFinished) for (const cancel of gone) cancel();
          });
        }
        gone.push(listener);
      },
    });
    // 3. A lone tools/call the key lacks permissions for: 403 insufficient_scope (its KeyUsed already recorded as
    //    denied). In a batch the other calls have answers of their own: it keeps its JSON-RPC error there.
    if (context.insufficientScope !== undefined && response.status === 200 && !Array.isArray(response.body)) {
      return insufficientScope(reply, context.insufficientScope, request.id);
    }
    // 4. Any other answered request moves "last used".
    if (response.status < 400 && !context.usageRecorded) {
      const now = clock.now();
      await usage.touch(context.key.keyId, now, () =>
        keyUsed(context, now, null, 'ok', context.client ?? clientInfoOf('', undefined, context.userAgent)),
      );
    }
    reply.code(response.status).headers(response.headers);
    return response.body === undefined ? reply.send() : reply.send(response.body);
  };

  void fastify.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'string', bodyLimit: options.bodyLimit }, (_req, body, done) => done(null, body));
    // What Fastify raises on this route (a body over the limit, no parser for an empty or odd Content-Type, a
    // body shorter than its Content-Length) in the endpoint's own terms: 413 as problem+json like its other
    // refusals, the rest as JSON-RPC errors like the transport's; never Fastify's default body, never Nest's.
    scope.setErrorHandler((error: { statusCode?: number; code?: string; message?: string }, request, reply) => {
      const status = typeof error.statusCode === 'number' && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 500;
      // The store cannot write (disk full, unreachable): 503 naming storage, as on the settings API; nothing was
      // recorded, and the client may retry.
      const problem = toProblem(error, `urn:keygate:request:${request.id}`);
      if (problem.status === 503) {
        request.log.warn({ err: error }, 'MCP request refused: the store cannot write');
        return sendProblem(reply, problem);
      }
      if (status === 500) {
        request.log.error({ err: error }, 'MCP request failed');
        return rpcError(reply, 500, ErrorCode.InternalError, 'Internal error; it has been logged with this request id.');
      }
      if (status === 413) {
        return sendProblem(reply, {
          ...problemOf(413, `The request body is larger than ${options.bodyLimit} bytes (KEYGATE_MAX_REQUEST_BYTES).`),
          instance: `urn:keygate:request:${request.id}`,
        });
      }
      if (status === 415 || error.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
        return rpcError(reply, 415, -32000, 'Unsupported Media Type: Content-Type must be application/json.');
      }
      return rpcError(reply, status, ErrorCode.InvalidRequest, `Invalid Request: ${error.message ?? 'the request could not be read'}.`);
    });
    scope.route({
      method: ['POST', 'GET', 'DELETE'],
      url: '/api/mcp',
      bodyLimit: options.bodyLimit,
      onRequest: authenticate,
      handler: serve,
    });
  });
};
