import { Catch, HttpException, HttpStatus, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { Logger } from 'pino';
import { storageFailureCode } from '#event-store';
import { KeyDomainError, MalformedEventError, type KeyErrorKind } from '#keys';
import { IDENTITY_PROVIDER_UNAVAILABLE, IdentityProviderUnavailableError } from '../auth/identity-provider-unavailable.error.js';

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance?: string;
  errors?: string[];
  /** Seconds; sent as the Retry-After header, not in the body. */
  retryAfter?: number;
}

const KIND_STATUS: Record<KeyErrorKind, number> = {
  invalid: 400,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  limit: 409,
  // Temporary: the same request succeeds later (Retry-After says when), unlike a limit, which needs an action.
  too_many: 429,
};

/** Problem type slugs where the kind's name alone would not tell a client what happened. */
const KIND_SLUG: Partial<Record<KeyErrorKind, string>> = {
  limit: 'key-limit-reached',
  too_many: 'too-many-acknowledgements',
};

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

export const STORAGE_UNAVAILABLE = 'The key store cannot write right now (disk full?); nothing was recorded. Try again later.';
/** A guess an operator can beat: long enough not to hammer a full disk, short enough to notice it was freed. */
const STORAGE_RETRY_AFTER_SECONDS = 30;

/** jose's cooldown between JWKS fetches (auth/jwt-verifier.ts JWKS_CACHE): sooner, the same answer is likely. */
const IDENTITY_PROVIDER_RETRY_AFTER_SECONDS = 30;

const problemType = (slug: string) => `urn:keygate:problem:${slug}`;

/** Turns any error into RFC 9457 application/problem+json with a detail a person can act on. */
export const toProblem = (error: unknown, instance?: string): Problem => {
  if (error instanceof KeyDomainError) {
    const status = KIND_STATUS[error.kind];
    const slug = KIND_SLUG[error.kind] ?? error.kind.replace('_', '-');
    const problem: Problem = { type: problemType(slug), title: TITLES[status], status, detail: error.message, instance };
    if (error.retryAfterSeconds !== undefined) problem.retryAfter = error.retryAfterSeconds;
    return problem;
  }
  // A value that reached an event without fitting its schema: refused before anything was written. Values are
  // bounded where they enter, so this names the field a caller can correct (or a bug to report).
  if (error instanceof MalformedEventError) {
    return { type: problemType('unrecordable-value'), title: TITLES[400], status: 400, detail: `${error.message}.`, instance };
  }
  if (error instanceof HttpException) {
    const status = error.getStatus();
    const body = error.getResponse();
    const messages = typeof body === 'object' && body !== null ? (body as { message?: unknown }).message : body;
    const list = Array.isArray(messages) ? messages.map(String) : undefined;
    const detail = list ? `Invalid request: ${list.join('; ')}.` : String(messages ?? error.message);
    return {
      type: problemType(status === 400 && list ? 'validation' : String(status)),
      title: TITLES[status] ?? 'Error',
      status,
      detail,
      instance,
      ...(list ? { errors: list } : {}),
    };
  }
  // The identity provider's keys could not be fetched: the token may be fine, so not a 401 (which tells a client
  // to sign in again); temporary, so 503. Nothing of the provider's address or the fetch error goes to the caller.
  if (error instanceof IdentityProviderUnavailableError) {
    return {
      type: problemType('identity-provider-unavailable'),
      title: TITLES[503],
      status: HttpStatus.SERVICE_UNAVAILABLE,
      detail: IDENTITY_PROVIDER_UNAVAILABLE,
      instance,
      retryAfter: IDENTITY_PROVIDER_RETRY_AFTER_SECONDS,
    };
  }
  // Fastify's own errors (body too large, malformed JSON, wrong content type) carry a statusCode.
  const fastifyStatus = (error as { statusCode?: number })?.statusCode;
  if (typeof fastifyStatus === 'number' && fastifyStatus >= 400 && fastifyStatus < 500) {
    return {
      type: problemType(String(fastifyStatus)),
      title: TITLES[fastifyStatus] ?? 'Error',
      status: fastifyStatus,
      detail: (error as Error).message,
      instance,
    };
  }
  // The store failed for a reason outside the request (disk full, I/O error, read-only file, lock timeout,
  // KurrentDB unreachable): temporary as far as the caller can tell, and an append that failed wrote nothing.
  // 503 with Retry-After, never a 500 naming the driver's code (that goes to the log with the request id).
  if (storageFailureCode(error) !== null) {
    return {
      type: problemType('storage-unavailable'),
      title: TITLES[503],
      status: HttpStatus.SERVICE_UNAVAILABLE,
      detail: STORAGE_UNAVAILABLE,
      instance,
      retryAfter: STORAGE_RETRY_AFTER_SECONDS,
    };
  }
  return {
    type: problemType('internal'),
    title: TITLES[500],
    status: HttpStatus.INTERNAL_SERVER_ERROR,
    detail: 'An unexpected error occurred; it has been logged with this request id.',
    instance,
  };
};

export interface ReplyLike {
  status(code: number): ReplyLike;
  header(name: string, value: string): ReplyLike;
  send(body: unknown): unknown;
}

/** A problem of a status and a detail, for answers that are not an exception (the MCP endpoint's refusals). */
export const problemOf = (status: number, detail: string, retryAfter?: number): Problem => ({
  type: problemType(String(status)),
  title: TITLES[status] ?? 'Error',
  status,
  detail,
  ...(retryAfter !== undefined ? { retryAfter } : {}),
});

/**
 * The one writer of problem+json, for the Nest filter and the MCP endpoint alike. A 401 carries a Bearer
 * challenge: the caller's own (the MCP endpoint's names the error) or the plain one.
 */
export const sendProblem = (reply: ReplyLike, { retryAfter, ...body }: Problem, challenge = 'Bearer realm="keygate"'): void => {
  if (body.status === 401) reply.header('WWW-Authenticate', challenge);
  // Delay-seconds form (RFC 9110 §10.2.3): a whole number, so clients need not parse an HTTP date.
  if (retryAfter !== undefined) reply.header('Retry-After', String(Math.max(1, Math.ceil(retryAfter))));
  reply.status(body.status).header('Content-Type', 'application/problem+json').send(body);
};

@Catch()
export class ProblemDetailsFilter implements ExceptionFilter {
  constructor(private readonly logger: Logger) {}

  catch(error: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<{ id?: string; url?: string }>();
    const problem = toProblem(error, request.id ? `urn:keygate:request:${request.id}` : undefined);
    // A JWKS outage is logged by the JwksMonitor, once per outage and then once a minute, not once per request.
    if (problem.status >= 500 && !(error instanceof IdentityProviderUnavailableError)) {
      this.logger.error({ err: error, reqId: request.id }, 'request failed');
    }
    sendProblem(http.getResponse<ReplyLike>(), problem);
  }
}
