import type { AddressInfo } from 'node:net';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { createKeygateClient, keygateMiddleware, type KeygateIdentity } from '#client';
import { mintToken } from '#keys';
import { bootKeygate, DAY, settle, signJwt, type ActivityEntry, type Identity, type Keygate } from '#test-support/keygate-harness';
import { parseBearerChallenge } from '#test-support/mcp-client';
import { startHostApp } from '../host-app/host-app.js';

// An adopter's product (test/host-app: a NestJS app on Fastify) protects its own routes with the client's
// @RequireKeygateKey, against a running Keygate: it accepts a valid key and refuses the others with the right code.

const SERVICE_TOKEN = 'svc-host-app-0123456789abcdefghijklmnopqrstu';
const reader: Identity = { sub: 'rita', company: 'acme', role: 'user', permissions: ['orders:read'] };
const writer: Identity = { sub: 'will', company: 'acme', role: 'root', permissions: ['orders:read', 'orders:write'] };

type UseEntry = ActivityEntry & { tool?: string | null; outcomes?: Record<'ok' | 'error' | 'denied', number>; client?: { name: string | null; version: string | null } };

describe('a host app using the client\'s NestJS guard', () => {
  let kg: Keygate;
  let host: { url: string; close(): Promise<void> };
  const jwts: Record<string, string> = {};
  beforeAll(async () => {
    kg = await bootKeygate({ env: { KEYGATE_SERVICE_TOKENS: SERVICE_TOKEN, KEYGATE_RATE_LIMIT_PER_MINUTE: '3' } });
    host = await startHostApp(kg.url, SERVICE_TOKEN);
    jwts.reader = await signJwt(reader);
    jwts.writer = await signJwt(writer);
  });
  afterAll(async () => {
    await host?.close();
    await kg?.close();
  });

  const call = async (method: 'GET' | 'POST', token?: string) => {
    const res = await fetch(`${host.url}/v1/orders`, {
      method,
      headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(method === 'POST' ? { 'content-type': 'application/json' } : {}) },
      body: method === 'POST' ? JSON.stringify({ total: 7 }) : undefined,
    });
    const text = await res.text();
    return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : null };
  };
  /** A refusal: problem+json with Keygate's code, and its challenge or Retry-After. */
  const expectRefusal = (res: Awaited<ReturnType<typeof call>>, status: number, code: string) => {
    expect({ status: res.status, type: res.headers.get('content-type'), code: res.body?.code, problemStatus: res.body?.status }).toEqual({
      status,
      type: expect.stringMatching(/^application\/problem\+json(;|$)/),
      code,
      problemStatus: status,
    });
    expect(res.body.detail).toEqual(expect.any(String));
  };
  const uses = async (jwt: string, keyId: string): Promise<UseEntry[]> => {
    await settle(kg);
    return (await kg.activity(jwt, { keyId })).filter((e) => e.type === 'KeyUsed');
  };

  it('accepts a valid key with the route\'s permission, hands the handler its identity, and the use is in Keygate\'s feed under the route', async () => {
    const { key, token } = await kg.mintKey(jwts.reader, 'reporting script');

    const res = await call('GET', token);

    expect(res.status).toBe(200);
    expect(res.body).toEqual({ orders: [{ id: 'o-1', total: 42 }], actingAs: { userId: 'rita', companyId: 'acme', keyId: key.id, replacedBy: null } });
    expect(await uses(jwts.reader, key.id)).toEqual([
      expect.objectContaining({ tool: 'OrdersController.list', outcomes: { ok: 1, error: 0, denied: 0 }, client: { name: 'host-app', version: '1.0' } }),
    ]);
  });

  it('given a key being replaced by a rotation, then its identity names the new key until the overlap ends, then 401', async () => {
    const { key, token } = await kg.mintKey(jwts.reader, 'rotating script');
    const rotated = await kg.api(jwts.reader).post(`/api/keys/${key.id}/rotate`, { overlapSeconds: 60 });
    expect(rotated.status).toBe(201);
    const during = await call('GET', token);
    expect(during.body.actingAs).toEqual({ userId: 'rita', companyId: 'acme', keyId: key.id, replacedBy: rotated.body.key.id });
    kg.clock.advance(60_000);
    expectRefusal(await call('GET', token), 401, 'REVOKED');
    expect((await call('GET', rotated.body.token)).body.actingAs).toMatchObject({ keyId: rotated.body.key.id, replacedBy: null });
  });

  it('given no key, then 401 with a bare Bearer challenge and no call to Keygate', async () => {
    const res = await call('GET');
    expectRefusal(res, 401, 'MISSING');
    expect(res.headers.get('www-authenticate')).toBe('Bearer realm="host-app"');
  });

  it('given a key with a wrong secret, then 401 INVALID with an invalid_token challenge', async () => {
    const { key } = await kg.mintKey(jwts.reader, 'wrong secret');
    const res = await call('GET', mintToken(key.id).token);
    expectRefusal(res, 401, 'INVALID');
    expect(parseBearerChallenge(res.headers.get('www-authenticate'))).toEqual({ realm: 'host-app', error: 'invalid_token', error_description: 'The API key is invalid.' });
  });

  it('given a revoked key, then 401 REVOKED', async () => {
    const { key, token } = await kg.mintKey(jwts.reader, 'revoked');
    expect((await call('GET', token)).status).toBe(200);
    expect((await kg.api(jwts.reader).post(`/api/keys/${key.id}/revoke`)).status).toBe(200);

    const res = await call('GET', token);

    expectRefusal(res, 401, 'REVOKED');
    expect(parseBearerChallenge(res.headers.get('www-authenticate'))).toMatchObject({ error: 'invalid_token', error_description: 'The API key has been revoked.' });
  });

  it('given a key without the route\'s permission, then 403 INSUFFICIENT_PERMISSIONS with an insufficient_scope challenge; the denial is recorded', async () => {
    const { key, token } = await kg.mintKey(jwts.reader, 'read only');

    const res = await call('POST', token);

    expectRefusal(res, 403, 'INSUFFICIENT_PERMISSIONS');
    expect(parseBearerChallenge(res.headers.get('www-authenticate'))).toMatchObject({ error: 'insufficient_scope', scope: 'orders:write' });
    expect(await uses(jwts.reader, key.id)).toEqual([expect.objectContaining({ tool: 'orders.create', outcomes: { ok: 0, error: 0, denied: 1 } })]);
    // The same route admits a key whose creator may write.
    const { token: writable } = await kg.mintKey(jwts.writer, 'writer');
    expect(await call('POST', writable)).toMatchObject({ status: 201, body: { created: { id: 'o-2', total: 7, by: 'will' } } });
  });

  it('given a key over its rate limit (3 a minute), then 429 RATE_LIMITED with Retry-After and RateLimit headers', async () => {
    const { token } = await kg.mintKey(jwts.reader, 'busy');
    for (let i = 0; i < 3; i++) expect((await call('GET', token)).status).toBe(200);

    const res = await call('GET', token);

    expectRefusal(res, 429, 'RATE_LIMITED');
    expect({ retryAfter: res.headers.get('retry-after'), limit: res.headers.get('ratelimit-limit'), remaining: res.headers.get('ratelimit-remaining') }).toEqual({
      retryAfter: '60',
      limit: '3',
      remaining: '0',
    });
  });

  it('given an expired key (Keygate\'s clock past its expiry), then 401 EXPIRED', async () => {
    const { token } = await kg.mintKey(jwts.writer, 'lapsing');
    expect((await call('GET', token)).status).toBe(200);
    kg.clock.advance(91 * DAY);

    expectRefusal(await call('GET', token), 401, 'EXPIRED');
  });
});

describe('keygateMiddleware on a bare Fastify route, and the typed client', () => {
  let kg: Keygate;
  let jwt: string;
  beforeAll(async () => {
    kg = await bootKeygate({ env: { KEYGATE_SERVICE_TOKENS: SERVICE_TOKEN } });
    jwt = await signJwt(reader);
  });
  afterAll(async () => {
    await kg?.close();
  });

  /** A Fastify app whose /reports route runs the middleware as a preHandler hook. */
  const startFastify = async (keygateUrl: string) => {
    const fastify = new FastifyAdapter().getInstance();
    fastify.decorateRequest('keygate', null);
    fastify.get('/reports', { preHandler: keygateMiddleware({ url: keygateUrl, serviceToken: SERVICE_TOKEN, permissions: ['orders:read'], route: 'reports' }) }, async (request) => ({
      for: (request as unknown as { keygate: KeygateIdentity }).keygate.userId,
    }));
    await fastify.listen({ port: 0, host: '127.0.0.1' });
    const { port } = fastify.server.address() as AddressInfo;
    return { url: `http://127.0.0.1:${port}/reports`, close: () => fastify.close() };
  };

  it('admits a valid key with its identity on the request, refuses a wrong one with 401, and answers 503 when Keygate is unreachable', async () => {
    const { token, key } = await kg.mintKey(jwt, 'middleware');
    const app = await startFastify(kg.url);
    // A Keygate URL nothing listens on: a port just closed.
    const closed = await startFastify(kg.url);
    const deadKeygate = closed.url.replace('/reports', '');
    await closed.close();
    const orphan = await startFastify(deadKeygate);
    try {
      const ok = await fetch(app.url, { headers: { authorization: `Bearer ${token}` } });
      expect({ status: ok.status, body: (await ok.json()) as unknown }).toEqual({ status: 200, body: { for: 'rita' } });

      const wrong = await fetch(app.url, { headers: { authorization: `Bearer ${mintToken(key.id).token}` } });
      expect({ status: wrong.status, type: wrong.headers.get('content-type'), code: ((await wrong.json()) as { code: string }).code }).toEqual({
        status: 401,
        type: expect.stringMatching(/^application\/problem\+json(;|$)/),
        code: 'INVALID',
      });

      const unavailable = await fetch(orphan.url, { headers: { authorization: `Bearer ${token}` } });
      expect({ status: unavailable.status, code: ((await unavailable.json()) as { code: string }).code }).toEqual({ status: 503, code: 'UNAVAILABLE' });
    } finally {
      await app.close();
      await orphan.close();
    }
  });

  it('drives the settings calls and verify with types from the served OpenAPI document', async () => {
    const client = createKeygateClient({ baseUrl: kg.url, userAgent: 'typed-client-test/1.0' });
    const settings = client.settings(async () => jwt);

    // Every answer is typed as the served document describes it (no casts: a schema lost there fails tsc here).
    const { acknowledgementId } = await settings.acknowledge();
    const minted = await settings.mint({ acknowledgementId, label: 'typed client' });
    expect(minted.token).toMatch(/^kg_/);
    const verified = await client.verify(SERVICE_TOKEN, { key: minted.token, route: 'typed.check' });
    expect(verified).toMatchObject({ valid: true, code: 'VALID', keyId: minted.key.id, userId: 'rita' });
    const listed = await settings.list();
    expect(listed.items.find((k) => k.id === minted.key.id)?.status).toBe('active');
    const revoked = await settings.revoke(minted.key.id);
    expect(revoked.key.status).toBe('revoked');
    expect((await client.verify(SERVICE_TOKEN, { key: minted.token })).code).toBe('REVOKED');
    await settle(kg);
    const feed = await settings.activity({ keyId: minted.key.id });
    expect(feed.items.map((e) => e.type)).toEqual(expect.arrayContaining(['KeyMinted', 'KeyRevoked', 'KeyUsed']));
    await expect(settings.delete(minted.key.id)).rejects.toMatchObject({ name: 'KeygateApiError', status: 403 });
    await expect(client.verify('not-a-service-token-0123456789abcdefghij', { key: minted.token })).rejects.toMatchObject({
      status: 401,
      problem: { detail: expect.stringMatching(/not one of KEYGATE_SERVICE_TOKENS/) },
    });
  });
});
