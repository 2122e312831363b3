import { pino, type DestinationStream, type Logger } from 'pino';
import type { LoggerService } from '@nestjs/common';
import { redactSecrets } from './redact.js';

/**
 * Structured JSON logs. Credentials never reach them: the Authorization and Cookie headers are removed
 * by pino's redaction, and URLs are scrubbed of anything shaped like a key or a JWT (redact.ts, bounded work).
 * `destination`: stdout unless given (the redaction test captures every line).
 */
export const createLogger = (level: string, destination?: DestinationStream): Logger => {
  const options = {
    level,
    base: { service: 'keygate' },
    redact: { paths: ['req.headers.authorization', 'req.headers.cookie', 'headers.authorization', 'token', 'secret'], remove: true },
    serializers: {
      req: (req: { id?: string; method?: string; url?: string; ip?: string }) => ({
        id: req.id,
        method: req.method,
        url: req.url ? redactSecrets(req.url) : undefined,
        remoteAddress: req.ip,
      }),
      res: (res: { statusCode?: number }) => ({ statusCode: res.statusCode }),
    },
  };
  return destination ? pino(options, destination) : pino(options);
};

/** Nest's own messages (bootstrap, route mapping) through the same JSON logger. */
export class PinoNestLogger implements LoggerService {
  constructor(private readonly logger: Logger) {}
  log(message: unknown, context?: string) {
    this.logger.info({ context }, String(message));
  }
  error(message: unknown, trace?: string, context?: string) {
    this.logger.error({ context, trace }, String(message));
  }
  warn(message: unknown, context?: string) {
    this.logger.warn({ context }, String(message));
  }
  debug(message: unknown, context?: string) {
    this.logger.debug({ context }, String(message));
  }
  verbose(message: unknown, context?: string) {
    this.logger.trace({ context }, String(message));
  }
}
