import createClient, { type Client } from 'openapi-fetch';
import type { components, paths } from './keygate-api.js';

export type VerifyKeyBody = components['schemas']['VerifyKeyBody'];
export type VerifyKeyView = components['schemas']['VerifyKeyView'];
export type VerifyCode = VerifyKeyView['code'];

/** An RFC 9457 problem as Keygate answers every error. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance?: string;
  errors?: string[];
}

/** A Keygate answer other than the one the call expects: its status and problem (when the body was one). */
export class KeygateApiError extends Error {
  constructor(
    readonly status: number,
    readonly problem: Problem | null,
  ) {
    super(problem ? `Keygate answered ${status}: ${problem.detail}` : `Keygate answered ${status}`);
    this.name = 'KeygateApiError';
  }
}

export interface KeygateClientOptions {
  /** Where Keygate is reached, e.g. https://keys.example.com (no trailing /api). */
  baseUrl: string;
  /** The fetch to use (tests, proxies); globalThis.fetch by default. */
  fetch?: typeof fetch;
  /** Sent as User-Agent: the activity feed names a verify's client by its first product ("my-product/1.4"). */
  userAgent?: string;
}

/** A bearer credential, or a function returning the current one (a JWT refreshed by the host's session). */
export type Credential = string | (() => string | Promise<string>);

const bearer = async (credential: Credential) => ({ authorization: `Bearer ${typeof credential === 'string' ? credential : await credential()}` });

/** openapi-fetch's result: the data, or a KeygateApiError with the problem. */
const unwrap = <T>({ data, error, response }: { data?: T; error?: unknown; response: Response }): T => {
  if (!response.ok) throw new KeygateApiError(response.status, (error as Problem | undefined) ?? null);
  return data as T;
};

export const DEFAULT_USER_AGENT = 'keygate-client/0.1.0';

/**
 * Keygate's API, typed from the OpenAPI document it serves (keygate-api.ts, generated: npm run client:generate),
 * through openapi-fetch: each call's path, parameters, body and answer are the document's, so a client built against
 * an older document fails to compile where the API changed. Errors are thrown as KeygateApiError with the problem.
 */
export const createKeygateClient = (options: KeygateClientOptions) => {
  const http: Client<paths> = createClient<paths>({
    baseUrl: options.baseUrl.replace(/\/+$/, ''),
    fetch: options.fetch,
    headers: { 'user-agent': options.userAgent ?? DEFAULT_USER_AGENT },
  });
  return {
    /** The typed openapi-fetch client itself, for calls this wrapper does not name. */
    http,
    /** The settings API, as the signed-in person whose JWT (from the host's identity provider) is given. */
    settings(jwt: Credential) {
      return {
        acknowledge: async () => unwrap(await http.POST('/api/keys/acknowledgements', { headers: await bearer(jwt) })),
        mint: async (body: { acknowledgementId: string; label?: string }) => unwrap(await http.POST('/api/keys', { headers: await bearer(jwt), body })),
        list: async (query: NonNullable<paths['/api/keys']['get']['parameters']['query']> = {}) =>
          unwrap(await http.GET('/api/keys', { headers: await bearer(jwt), params: { query } })),
        revoke: async (id: string) => unwrap(await http.POST('/api/keys/{id}/revoke', { headers: await bearer(jwt), params: { path: { id } } })),
        delete: async (id: string) => {
          unwrap(await http.DELETE('/api/keys/{id}', { headers: await bearer(jwt), params: { path: { id } } }));
        },
        activity: async (query: NonNullable<paths['/api/activity']['get']['parameters']['query']> = {}) =>
          unwrap(await http.GET('/api/activity', { headers: await bearer(jwt), params: { query } })),
      };
    },
    /** POST /api/verify as the host backend, with a service token of KEYGATE_SERVICE_TOKENS. */
    verify: async (serviceToken: Credential, body: VerifyKeyBody): Promise<VerifyKeyView> =>
      unwrap(await http.POST('/api/verify', { headers: await bearer(serviceToken), body })),
  };
};

export type KeygateClient = ReturnType<typeof createKeygateClient>;
