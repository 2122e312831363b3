import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ApiKeyGuard, GuardVerdict, RateDecision } from '#keys';
import type { KeygateMetrics } from '#metrics';
import type { Clock } from '#runtime';
import { clientInfoOf, remoteAddressOf } from './client-info.js';
import { toAuthInfo, type McpRequestContext } from './mcp-request-context.js';
import { keyUsed, type KeygateMcpServer } from './mcp-server.js';
import type { UsageRecorder } from './usage-recorder.js';

export interface McpEndpointOptions {
  guard: ApiKeyGuard;
  mcp: KeygateMcpServer;
  usage: UsageRecorder;
  clock: Clock;
  bodyLimit: number;
  /** Origins allowed to call from a browser; any other Origin header gets 403 (DNS-rebinding defence). */
  allowedOrigins: ReadonlySet<string>;
  metrics?: KeygateMetrics;
}

const outcomeOf = (verdict: GuardVerdict) => (verdict.ok ? 'ok' : verdict.status === 429 ? 'rate_limited' : 'unauthorized');

// A key in the URL ends up in proxies' and browsers' logs: refuse it, never use it.
const KEY_IN_QUERY = /[?&](?:[^=&]*=)?[^&]*kg_[0-9A-Za-z]{12}_/;
const TOUCH_INTERVAL_MS = 60_000;

const problem = (reply: FastifyReply, status: number, detail: string) =>
  reply.code(status).type('application/problem+json').send({ type: `urn:keygate:problem:${status}`, status, title: titleOf(status), detail });

const titleOf = (status: number) =>
  ({ 401: 'Unauthorized', 403: 'Forbidden', 413: 'Content Too Large', 429: 'Too Many Requests' })[status] ?? 'Error';

// No resource_metadata: there is no OAuth server to discover, and advertising one misleads clients.
// error_description may hold neither '"' nor a backslash (RFC 6750 §3): a description quoting the header would break the challenge.
const unauthorized = (reply: FastifyReply, description: string) =>
  problem(
    reply.header(
      'WWW-Authenticate',
      `Bearer realm="keygate", error="invalid_token", error_description="${description.replace(/["\\]/g, "'")}"`,
    ),
    401,
    description,
  );

const rateHeaders = (reply: FastifyReply, rate: RateDecision) =>
  reply
    .header('RateLimit-Limit', rate.limit)
    .header('RateLimit-Remaining', rate.remaining)
    .header('RateLimit-Reset', rate.resetSeconds)
    .header('RateLimit-Policy', `${rate.limit};w=60`);

/**
 * POST /api/mcp: guard → MCP. A plain Fastify route rather than a Nest controller: this is the hot path,
 * and it needs the raw body (so the transport answers 415 and -32700 in MCP's own terms).
 */
export const registerMcpEndpoint = (fastify: FastifyInstance, options: McpEndpointOptions): void => {
  const { guard, mcp, usage, clock, allowedOrigins, metrics } = options;
  // "Last used" moves on every authenticated request; requests other than tools/call are recorded at most
  // once a minute per key, so initialize and tools/list do not flood the activity feed.
  const lastTouch = new Map<string, number>();

  // Bound once: labels() per request would build its lookup key every time.
  const guardTimers = metrics && {
    ok: metrics.guardLatency.labels('ok'),
    unauthorized: metrics.guardLatency.labels('unauthorized'),
    rate_limited: metrics.guardLatency.labels('rate_limited'),
  };
  const observe = (verdict: GuardVerdict, started: number) => {
    if (!metrics || !guardTimers) return;
    guardTimers[outcomeOf(verdict)].observe((performance.now() - started) / 1000);
    if (!verdict.ok && verdict.status === 429) metrics.rateLimited.inc();
  };

  const denied = (reply: FastifyReply, verdict: Exclude<GuardVerdict, { ok: true }>) => {
    if (verdict.status === 429) {
      if (verdict.rate) rateHeaders(reply, verdict.rate);
      reply.header('Retry-After', verdict.retryAfterSeconds);
      return problem(reply, 429, verdict.description);
    }
    return unauthorized(reply, verdict.description);
  };

  const serve = async (request: FastifyRequest, reply: FastifyReply, verdict: GuardVerdict) => {
    if (!verdict.ok) return denied(reply, verdict);
    rateHeaders(reply, verdict.rate);
    const context: McpRequestContext = {
      key: verdict.key,
      requestId: request.id,
      remoteAddress: remoteAddressOf(request.ip),
      userAgent: (request.headers['user-agent'] as string | undefined) ?? null,
    };
    const aborted = new AbortController();
    reply.raw.once('close', () => {
      if (!reply.raw.writableFinished) aborted.abort();
    });
    const response = await mcp.transport.handle({
      method: request.method,
      headers: request.headers,
      body: request.body,
      authInfo: toAuthInfo(context),
      signal: aborted.signal,
    });
    await touch(context, response.status);
    reply.code(response.status).headers(response.headers);
    return response.body === undefined ? reply.send() : reply.send(response.body);
  };

  const touch = async (context: McpRequestContext, status: number) => {
    if (status >= 400 || context.usageRecorded) return; // a tools/call recorded its own use
    const now = clock.now();
    const last = lastTouch.get(context.key.keyId) ?? 0;
    if (now.getTime() - last < TOUCH_INTERVAL_MS) return;
    lastTouch.set(context.key.keyId, now.getTime());
    await usage.record(keyUsed(context, now, null, 'ok', context.client ?? clientInfoOf('', undefined, context.userAgent)));
  };

  void fastify.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'string', bodyLimit: options.bodyLimit }, (_req, body, done) => done(null, body));
    scope.route({
      method: ['POST', 'GET', 'DELETE'],
      url: '/api/mcp',
      bodyLimit: options.bodyLimit,
      handler: (request, reply) => {
        if (KEY_IN_QUERY.test(request.url)) {
          return unauthorized(reply, 'API keys are accepted only in the Authorization header, never in the URL.');
        }
        const origin = request.headers.origin;
        if (origin !== undefined && !allowedOrigins.has(origin)) {
          return problem(reply, 403, `Requests from origin ${origin} are not allowed.`);
        }
        const started = performance.now();
        const verdict = guard.check(request.headers.authorization, clock.now().getTime());
        if (verdict instanceof Promise) {
          return verdict.then((v) => (observe(v, started), serve(request, reply, v)));
        }
        observe(verdict, started);
        return serve(request, reply, verdict);
      },
    });
  });
};
