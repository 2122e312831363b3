import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { ValidationPipe } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import type { Logger } from 'pino';
import { AppModule } from './app.module.js';
import { JwtVerifier } from './auth/jwt-verifier.js';
import { loadOrCreateDevSecret } from '#config';
import type { KeygateConfig } from '#config';
import { setupOpenApi } from './docs/openapi.js';
import type { DigestWriter } from '#audit';
import { auditDigestWriter, ExpirySweeper } from '#runtime';
import { ApiKeyGuard, looksLikeApiKey } from '#keys';
import { closeWithin, DEFAULT_HTTP_LIMITS, fastifyHttpOptions, httpError, installHttpEdge, jsonDepthExceeds, type HttpLimits } from './mcp/http-hardening.js';
import { registerMcpEndpoint } from './mcp/mcp-endpoint.js';
import { KeygateMcpServer } from './mcp/mcp-server.js';
import { BUILTIN_TOOLS } from './mcp/tools/builtin-tools.js';
import type { KeygateTool } from './mcp/tools/keygate-tool.js';
import { loadToolModules } from './mcp/tools/tool-modules.js';
import { UsageRecorder } from './mcp/usage-recorder.js';
import { createLogger, PinoNestLogger } from '#logging';
import { ProblemDetailsFilter } from './problem/problem-details.filter.js';
import { UndeclaredQueryInterceptor } from './problem/undeclared-query.interceptor.js';
import { createRuntime, type KeygateRuntime, type RuntimeOverrides } from '#runtime';
import { KeygateMetrics } from '#metrics';
import { registerMetricsEndpoint } from './metrics/metrics-endpoint.js';
import { registerSettingsPage } from './settings-page/index.js';
import { webhookDeliverer, type WebhookDeliverer, type WebhookDelivererOptions } from '#webhooks';
import { openWebhookParts } from './webhooks/webhook-composition.js';

export interface KeygateApp {
  app: NestFastifyApplication;
  runtime: KeygateRuntime;
  mcp: KeygateMcpServer;
  usage: UsageRecorder;
  sweeper: ExpirySweeper;
  /** The audit digest writer (embedded profile; null when not started here). */
  digests: DigestWriter | null;
  /** The webhook deliverer (embedded profile; null when not started here: the projector delivers in production). */
  webhooks: WebhookDeliverer | null;
  metrics: KeygateMetrics;
  logger: Logger;
  /** Set when no JWT secret or JWKS was configured: the development secret kept in the data directory. */
  devSecret: { secret: string; created: boolean } | null;
  close(): Promise<void>;
}

export interface CreateAppOptions extends RuntimeOverrides {
  logger?: Logger;
  /** The host product's own MCP tools (when not given: those of the modules config.toolModules names, KEYGATE_TOOL_MODULES). */
  productTools?: KeygateTool<any>[];
  /** Tests drive the sweeper themselves. On the production profile the projector runs it, never the api. */
  startSweeper?: boolean;
  /** Whether this process writes the audit digests (embedded profile; the projector does in production). Default true. */
  startDigestWriter?: boolean;
  /** Whether this process delivers webhooks (embedded profile; the projector does in production). Default true. */
  startWebhookDelivery?: boolean;
  /** Tests tune the deliverer (its poll, its clock). */
  webhookDelivery?: Partial<WebhookDelivererOptions>;
  /** Limits and deadlines at the HTTP edge (mcp/http-hardening.ts); tests shorten the deadlines. */
  http?: Partial<HttpLimits>;
  /** Where the bundled settings tab is served from (dist/web unless given; the browser tests build their own). */
  webAssetsDir?: string;
}

// A client-supplied request id is kept when it is short and plain, so logs can be joined across services.
const REQUEST_ID = /^[A-Za-z0-9._-]{1,64}$/;

export const createKeygateApp = async (config: KeygateConfig, options: CreateAppOptions = {}): Promise<KeygateApp> => {
  const logger = options.logger ?? createLogger(config.logLevel);
  // The host's MCP tools, loaded and checked before anything opens: a bad module stops start-up with nothing to close.
  const productTools = options.productTools ?? (await loadToolModules(config.toolModules));

  // 1. Who may call the settings API.
  const metrics = new KeygateMetrics(config.store === 'embedded' ? 'embedded' : 'api');
  const devSecret = config.jwksUrl || config.jwtSecret ? null : loadOrCreateDevSecret(config.dataDir);
  // Issuer, audience, claim names and role values: config.identity. A JWKS that cannot be fetched is logged and
  // counted (keygate_jwks_fetch_failures_total).
  const verifier = new JwtVerifier(config.jwksUrl ? { jwksUrl: config.jwksUrl } : { secret: config.jwtSecret ?? devSecret!.secret }, {
    identity: config.identity,
    logger,
    onJwksFetchFailure: (reason) => metrics.jwksFetchFailures.labels(reason).inc(),
  });

  // 2. The stores and read models, caught up before the first request.
  const runtime = await createRuntime(config, {
    ...options,
    onFollowerDrop: (follower, err, attempt, delayMs) => {
      metrics.subscriptionDrops.labels(follower).inc();
      logger.warn({ err, follower, attempt, delayMs }, 'subscription to the log dropped; resuming from its checkpoint');
      options.onFollowerDrop?.(follower, err, attempt, delayMs);
    },
    onParked: (entry) => {
      metrics.eventsParked.labels(entry.projection).inc();
      logger.error({ parked: entry }, 'a projection could not apply an event: parked it and went on (npm run projections:parked)');
      options.onParked?.(entry);
    },
  });
  metrics.addLagSource(runtime.readSide);
  // Webhook endpoints and their sealing key (webhooks/webhook-composition.ts); null when off (production without a key file).
  const webhookParts = await openWebhookParts(runtime, logger).catch(async (error) => {
    await runtime.close();
    throw error;
  });

  // 2b. What checks a key and records its use: one guard and one recorder per process, shared by the MCP endpoint
  //     and POST /api/verify, so a key's rate limit and its usage are the same whichever way it comes in.
  const usage = new UsageRecorder(runtime.store, {
    onCommit: (events, seconds) => {
      metrics.usageBatchSize.observe(events);
      metrics.usageCommitLatency.observe(seconds);
    },
  });
  const guard = new ApiKeyGuard(runtime.hotKeys, runtime.hasher, {
    // Each replica holds its share of the per-key limit (see KeygateConfig.apiReplicas).
    requestsPerMinute: Math.max(1, Math.floor(config.rateLimitPerMinute / config.apiReplicas)),
    failuresPerMinute: config.authFailuresPerMinute,
  });

  // 3. HTTP: Fastify, JSON logs with request ids, problem+json for every error, every input bounded before any
  //    library walks it: REST bodies small (/api/mcp keeps KEYGATE_MAX_REQUEST_BYTES), JSON depth checked on the
  //    raw text, deadlines for headers, body and idle connections (mcp/http-hardening.ts states the figures).
  const limits: HttpLimits = { ...DEFAULT_HTTP_LIMITS, ...options.http };
  const restBodyLimit = Math.min(limits.restBodyLimitBytes, config.bodyLimitBytes);
  const adapter = new FastifyAdapter({
    loggerInstance: logger,
    bodyLimit: restBodyLimit,
    ...fastifyHttpOptions(limits),
    // A hop count, never `true`: a client could otherwise claim any address in X-Forwarded-For.
    trustProxy: (_address: string, hop: number) => hop < config.trustedProxyHops,
    genReqId: (req: { headers: Record<string, string | string[] | undefined> }) => {
      const given = req.headers['x-request-id'];
      // Never a key sent there by mistake: the id is echoed, logged and stored in usage events.
      return typeof given === 'string' && REQUEST_ID.test(given) && !looksLikeApiKey(given) ? given : randomUUID();
    },
  });
  const fastify = adapter.getInstance();
  fastify.addHook('onSend', async (req, reply) => {
    reply.header('x-request-id', req.id);
  });
  registerMetricsEndpoint(fastify, metrics);
  // The settings tab: /settings/api-keys and the bundled <keygate-api-keys> (dist/web, built by npm run build).
  registerSettingsPage(fastify, { assetsDir: options.webAssetsDir });
  installHttpEdge(fastify, limits, logger);
  // The settings API reads JSON only (anything else: 415), depth-checked before it is parsed, so no nesting reaches
  // class-transformer's recursion; Fastify's own parser then refuses __proto__ and constructor keys. Errors Fastify
  // raises before a handler runs (body too large, malformed JSON) reach Nest's error handler, and so
  // ProblemDetailsFilter, which maps their statusCode; those raised before routing go to frameworkErrors.
  fastify.removeAllContentTypeParsers();
  const parseJson = fastify.getDefaultJsonParser('error', 'error');
  fastify.addContentTypeParser('application/json', { parseAs: 'string', bodyLimit: restBodyLimit }, (request, body, done) => {
    if (jsonDepthExceeds(body as string, limits.restMaxJsonDepth)) {
      return done(httpError(400, `The JSON body nests deeper than ${limits.restMaxJsonDepth} levels; this API's bodies are flat objects.`), undefined);
    }
    parseJson(request, body as string, done);
  });
  fastify.addContentTypeParser('*', (_request, _payload, done) =>
    done(httpError(415, 'This API reads JSON bodies only: send "Content-Type: application/json".'), undefined),
  );

  // 4. The settings API: Nest, with each piece of the runtime under its own token (composition/).
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRuntime(runtime, verifier, { guard, usage }, webhookParts), adapter, {
    logger: new PinoNestLogger(logger),
    // The parsers are ours (above): Nest's would add urlencoded bodies and replace the depth check.
    bodyParser: false,
  });
  app.useGlobalPipes(new ValidationPipe({ whitelist: true, forbidNonWhitelisted: true, transform: true }));
  app.useGlobalFilters(new ProblemDetailsFilter(logger));
  app.useGlobalInterceptors(new UndeclaredQueryInterceptor());
  // A host page on another origin may call the settings API (KEYGATE_CORS_ORIGINS; none by default). Callers
  // authenticate with a bearer JWT, never a cookie, so credentials are not allowed across origins.
  if (config.corsOrigins.length > 0) {
    app.enableCors({
      origin: config.corsOrigins,
      methods: ['GET', 'POST', 'DELETE'],
      allowedHeaders: ['authorization', 'content-type', 'x-request-id'],
      exposedHeaders: ['x-request-id', 'retry-after'],
      credentials: false,
      maxAge: 600,
    });
  }
  setupOpenApi(app);

  // 5. The MCP endpoint: one long-lived server, the guard in front (step 2b), uses recorded by group commit. Its
  //    tools dispatch the settings API's own commands and queries, on the same buses.
  const mcp = new KeygateMcpServer(
    { clock: runtime.clock, usage, commands: app.get(CommandBus), queries: app.get(QueryBus) },
    [...BUILTIN_TOOLS, ...productTools],
  );
  await mcp.start();
  const guardSweep = setInterval(() => guard.sweep(runtime.clock.now().getTime()), 60_000).unref();
  registerMcpEndpoint(fastify, {
    guard,
    mcp,
    usage,
    clock: runtime.clock,
    bodyLimit: config.bodyLimitBytes,
    maxJsonDepth: limits.mcpMaxJsonDepth,
    allowedOrigins: new Set([new URL(config.publicUrl).origin, ...config.allowedOrigins]),
    metrics,
  });
  await app.init();

  // 6. Background work: KeyExpired for lapsed keys, and the audit digests covering the log.
  const sweeper = new ExpirySweeper(runtime, logger);
  if (options.startSweeper !== false && config.store === 'embedded') sweeper.start(config.sweepIntervalMs);
  const digests = options.startDigestWriter !== false && config.store === 'embedded' ? auditDigestWriter(runtime, logger) : null;
  digests?.start();
  // Webhooks: a follower of the log, off the request path, posting each lifecycle event to the company's endpoints.
  const webhooks =
    options.startWebhookDelivery !== false && config.store === 'embedded' && webhookParts
      ? webhookDeliverer(webhookParts, runtime.store, config.webhooks, logger, metrics.registry, options.webhookDelivery)
      : null;
  webhooks?.start();

  return {
    app,
    runtime,
    mcp,
    usage,
    sweeper,
    digests,
    webhooks,
    metrics,
    logger,
    devSecret,
    async close() {
      clearInterval(guardSweep);
      // A failed last sweep was logged when it failed; it must not stop the stores from closing.
      await sweeper.stop().catch(() => undefined);
      await webhooks?.stop();
      // Bounded whatever clients do: in-flight requests get the grace period, then every connection is closed.
      await closeWithin(app.getHttpServer(), () => app.close(), limits.shutdownGraceMs);
      await mcp.close();
      await usage.drain();
      // Last of the writers: its final digest covers every event, the uses answered during the grace period included.
      await digests?.stop();
      await runtime.close();
      await webhookParts?.close();
    },
  };
};
