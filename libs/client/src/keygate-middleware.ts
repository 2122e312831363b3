import { keyChecker, sendRefusal, type KeyCheckOptions, type KeygateIdentity, type KeyRequirement, type ReplyLike } from './key-check.js';

export interface KeygateMiddlewareOptions extends KeyCheckOptions, KeyRequirement {}

interface RequestLike {
  headers: Record<string, string | string[] | undefined>;
  ip?: string;
  keygate?: KeygateIdentity;
}

/**
 * A route guard as a (request, reply, next) function: Express middleware (`app.use(path, keygateMiddleware(…))`)
 * and a Fastify hook alike (`{ preHandler: keygateMiddleware(…) }`; `fastify.decorateRequest('keygate', null)` keeps
 * the request's shape stable). Admitted: request.keygate holds the key's identity and next() is called. Refused:
 * answered with problem+json and its challenge, next() not called.
 */
export const keygateMiddleware = (options: KeygateMiddlewareOptions) => {
  const check = keyChecker(options);
  const requirement: KeyRequirement = { permissions: options.permissions, route: options.route };
  return (request: RequestLike, reply: ReplyLike, next: (error?: Error) => void): void => {
    check(request.headers.authorization, { ...requirement, clientAddress: request.ip }).then(
      (outcome) => {
        if (!outcome.ok) return sendRefusal(reply, outcome.refusal);
        request.keygate = outcome.identity;
        next();
      },
      // A bug of the host's own (its next() threw): passed on as the framework expects.
      (error: unknown) => next(error instanceof Error ? error : new Error(String(error))),
    );
  };
};
