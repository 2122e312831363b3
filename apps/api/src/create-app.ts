import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { ValidationPipe } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import type { Logger } from 'pino';
import { AppModule } from './app.module.js';
import { JwtVerifier } from './auth/jwt-verifier.js';
import { loadOrCreateDevSecret } from './config/dev-jwt-secret.js';
import type { KeygateConfig } from './config/keygate-config.js';
import { setupOpenApi } from './docs/openapi.js';
import { ExpirySweeper } from './expiry/expiry-sweeper.js';
import { createLogger, PinoNestLogger } from './logging/logger.js';
import { ProblemDetailsFilter, sendProblem, toProblem } from './problem/problem-details.filter.js';
import { createEmbeddedRuntime, type KeygateRuntime, type RuntimeOverrides } from './runtime/keygate-runtime.js';

export interface KeygateApp {
  app: NestFastifyApplication;
  runtime: KeygateRuntime;
  sweeper: ExpirySweeper;
  logger: Logger;
  /** Set when no JWT secret or JWKS was configured: the development secret kept in the data directory. */
  devSecret: { secret: string; created: boolean } | null;
  close(): Promise<void>;
}

export interface CreateAppOptions extends RuntimeOverrides {
  logger?: Logger;
  /** Tests drive the sweeper themselves. */
  startSweeper?: boolean;
}

// A client-supplied request id is kept when it is short and plain, so logs can be joined across services.
const REQUEST_ID = /^[A-Za-z0-9._-]{1,64}$/;

export const createKeygateApp = async (config: KeygateConfig, options: CreateAppOptions = {}): Promise<KeygateApp> => {
  const logger = options.logger ?? createLogger(config.logLevel);

  // 1. Who may call the settings API.
  const devSecret = config.jwksUrl || config.jwtSecret ? null : loadOrCreateDevSecret(config.dataDir);
  const verifier = config.jwksUrl
    ? new JwtVerifier({ jwksUrl: config.jwksUrl })
    : new JwtVerifier({ secret: config.jwtSecret ?? devSecret!.secret });

  // 2. The stores and read models, caught up before the first request.
  const runtime = createEmbeddedRuntime(config, options);

  // 3. HTTP: Fastify, JSON logs with request ids, problem+json for every error.
  const adapter = new FastifyAdapter({
    loggerInstance: logger,
    bodyLimit: config.bodyLimitBytes,
    genReqId: (req: { headers: Record<string, string | string[] | undefined> }) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
    },
  });
  const fastify = adapter.getInstance();
  fastify.addHook('onSend', async (req, reply) => {
    reply.header('x-request-id', req.id);
  });
  // Errors raised by Fastify before Nest sees the request (body too large, malformed JSON, media type).
  fastify.setErrorHandler((error, req, reply) => {
    sendProblem(reply, toProblem(error, `urn:keygate:request:${req.id}`));
  });

  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRuntime(runtime, verifier), adapter, {
    logger: new PinoNestLogger(logger),
  });
  app.useGlobalPipes(new ValidationPipe({ whitelist: true, forbidNonWhitelisted: true, transform: true }));
  app.useGlobalFilters(new ProblemDetailsFilter(logger));
  setupOpenApi(app);
  await app.init();

  // 4. Background work: KeyExpired for lapsed keys.
  const sweeper = new ExpirySweeper(runtime, logger);
  if (options.startSweeper !== false) sweeper.start(config.sweepIntervalMs);

  return {
    app,
    runtime,
    sweeper,
    logger,
    devSecret,
    async close() {
      await sweeper.stop();
      await app.close();
      await runtime.close();
    },
  };
};
