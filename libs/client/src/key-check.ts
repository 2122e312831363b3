import { createKeygateClient, type Credential, type KeygateClientOptions, type Problem, type VerifyKeyView } from './keygate-client.js';

/** Who a verified key acts as: put on the request (request.keygate) for the host's route. */
export interface KeygateIdentity {
  keyId: string;
  userId: string;
  userName: string;
  companyId: string;
  permissions: string[];
  expiresAt: string;
  /**
   * A key being replaced by a rotation: the new key's id and when this one stops working (null otherwise). A host
   * may pass it on to its client, as Keygate's MCP endpoint does (Keygate-Key-Replaced-By, Sunset).
   */
  replacedBy: string | null;
  overlapEndsAt: string | null;
}

/** A refusal as the host answers it: status, problem+json body (with Keygate's code) and headers. */
export interface KeyRefusal {
  status: 401 | 403 | 429 | 503;
  problem: Problem & { code: VerifyKeyView['code'] | 'MISSING' | 'UNAVAILABLE' };
  headers: Record<string, string>;
}

export type KeyCheck = { ok: true; identity: KeygateIdentity; result: VerifyKeyView } | { ok: false; refusal: KeyRefusal };

export interface KeyCheckOptions extends Omit<KeygateClientOptions, 'baseUrl'> {
  /** Keygate's base URL. */
  url: string;
  /** A service token of Keygate's KEYGATE_SERVICE_TOKENS. */
  serviceToken: Credential;
  /** The realm of the WWW-Authenticate challenge (default "api"). */
  realm?: string;
}

export interface KeyRequirement {
  /** Permissions the route requires; every one must be among the key's. */
  permissions?: string[];
  /** The label the activity feed shows for the route (A-Z a-z 0-9 _ . / -). */
  route?: string;
}

const TITLES = { 401: 'Unauthorized', 403: 'Forbidden', 429: 'Too Many Requests', 503: 'Service Unavailable' } as const;
// What verify accepts as a route label and an address: anything else is left out rather than refused by Keygate (400).
const ROUTE = /^[A-Za-z0-9_./-]{1,128}$/;
const ADDRESS = /^[0-9A-Za-z:.%_-]{1,64}$/;
const BEARER = /^Bearer\s+(\S+)\s*$/i;

// error_description may hold neither '"' nor '\' (RFC 6750 §3).
const quoted = (text: string) => text.replace(/["\\]/g, "'");

const refusal = (status: KeyRefusal['status'], code: KeyRefusal['problem']['code'], detail: string, headers: Record<string, string> = {}): KeyRefusal => ({
  status,
  problem: { type: `urn:keygate:problem:${code.toLowerCase().replace(/_/g, '-')}`, title: TITLES[status], status, detail, code },
  headers,
});

/**
 * What a verify's answer means for the host's request (pure, shared by the NestJS guard and the middleware):
 * an identity, or 401 (invalid, revoked, expired: a Bearer challenge with error="invalid_token"), 403 (the
 * route needs permissions the key lacks: error="insufficient_scope", RFC 6750 §3.1) or 429 (Retry-After, RateLimit-*).
 */
export const decide = (result: VerifyKeyView, realm: string, required: readonly string[] = []): KeyCheck => {
  if (result.valid && result.code === 'VALID') {
    const { keyId, userId, userName, companyId, permissions, expiresAt, replacedBy, overlapEndsAt } = result;
    const identity = { keyId: keyId!, userId: userId!, userName: userName!, companyId: companyId!, permissions: permissions ?? [], expiresAt: expiresAt! };
    return { ok: true, result, identity: { ...identity, replacedBy: replacedBy ?? null, overlapEndsAt: overlapEndsAt ?? null } };
  }
  const challenge = (error: string, extra = '') => `Bearer realm="${realm}", error="${error}", error_description="${quoted(result.detail)}"${extra}`;
  switch (result.code) {
    case 'INSUFFICIENT_PERMISSIONS':
      return { ok: false, refusal: refusal(403, result.code, result.detail, { 'www-authenticate': challenge('insufficient_scope', `, scope="${quoted(required.join(' '))}"`) }) };
    case 'RATE_LIMITED': {
      const headers: Record<string, string> = { 'retry-after': String(Math.max(1, result.retryAfterSeconds ?? 1)) };
      if (result.ratelimit) {
        headers['ratelimit-limit'] = String(result.ratelimit.limit);
        headers['ratelimit-remaining'] = String(result.ratelimit.remaining);
      }
      return { ok: false, refusal: refusal(429, result.code, result.detail, headers) };
    }
    default:
      return { ok: false, refusal: refusal(401, result.code, result.detail, { 'www-authenticate': challenge('invalid_token') }) };
  }
};

/**
 * Checks the key of one request with Keygate's POST /api/verify. A request without a bearer Keygate key is refused
 * here without a call (401, a bare challenge, RFC 6750 §3.1); Keygate unreachable or failing is 503, never an admission.
 */
export const keyChecker = (options: KeyCheckOptions) => {
  const client = createKeygateClient({ baseUrl: options.url, fetch: options.fetch, userAgent: options.userAgent });
  const realm = quoted(options.realm ?? 'api');
  return async (authorization: string | string[] | undefined, requirement: KeyRequirement & { clientAddress?: string }): Promise<KeyCheck> => {
    const match = typeof authorization === 'string' ? BEARER.exec(authorization) : null;
    if (!match || !match[1].startsWith('kg_')) {
      return { ok: false, refusal: refusal(401, 'MISSING', 'Send a Keygate API key as "Authorization: Bearer kg_…".', { 'www-authenticate': `Bearer realm="${realm}"` }) };
    }
    let result: VerifyKeyView;
    try {
      result = await client.verify(options.serviceToken, {
        key: match[1].slice(0, 200),
        permissions: requirement.permissions,
        route: requirement.route !== undefined && ROUTE.test(requirement.route) ? requirement.route : undefined,
        clientAddress: requirement.clientAddress !== undefined && ADDRESS.test(requirement.clientAddress) ? requirement.clientAddress : undefined,
      });
    } catch (error) {
      return { ok: false, refusal: refusal(503, 'UNAVAILABLE', `The API key could not be checked right now; try again later. (${error instanceof Error ? error.message : String(error)})`.slice(0, 300)) };
    }
    return decide(result, realm, requirement.permissions);
  };
};

export type KeyChecker = ReturnType<typeof keyChecker>;

/** What the NestJS filter and the middleware write to: Fastify's reply and Express's response alike. */
export interface ReplyLike {
  status(code: number): unknown;
  header(name: string, value: string): unknown;
  send(body: string): unknown;
}

export const sendRefusal = (reply: ReplyLike, { status, problem, headers }: KeyRefusal): void => {
  reply.status(status);
  for (const [name, value] of Object.entries(headers)) reply.header(name, value);
  reply.header('content-type', 'application/problem+json');
  reply.send(JSON.stringify(problem));
};
