import { Writable } from 'node:stream';
import { pino } from 'pino';
import { KEY_LIFECYCLE_EVENT_TYPES } from '#keys';
import { bootKeygate, expectProblem, newDataDir, plainUser, root, signJwt, times, type Keygate } from '#test-support/keygate-harness';
import { WebhookReceiver, type ReceivedWebhook } from '#test-support/webhook-receiver';

// Webhooks for the key lifecycle, through HTTP: registration (root users), delivery to a real receiver on 127.0.0.1
// that verifies every signature with the standardwebhooks library, at least once and in log order, with retries
// after it was down, and never on the API's path.

const FAST_RETRIES = {
  KEYGATE_WEBHOOK_RETRY_INITIAL_MS: '50',
  KEYGATE_WEBHOOK_RETRY_MAX_MS: '200',
  KEYGATE_WEBHOOK_TIMEOUT_MS: '2000',
};

/** The log's lifecycle events of a company after a position: what an endpoint registered then must receive, in order. */
const lifecycleEvents = async (kg: Keygate, companyId: string, after: number) =>
  (await kg.keygate.runtime.store.readAll({ after, maxCount: 10_000, eventTypes: KEY_LIFECYCLE_EVENT_TYPES })).filter(
    (e) => (e.data as { companyId: string }).companyId === companyId,
  );

const idsOf = (received: ReceivedWebhook[]) => received.map((r) => r.id);

/** Revoke then delete, as root. */
const retire = async (kg: Keygate, jwt: string, keyId: string) => {
  expect((await kg.api(jwt).post(`/api/keys/${keyId}/revoke`)).status).toBe(200);
  expect((await kg.api(jwt).delete(`/api/keys/${keyId}`)).status).toBe(204);
};

describe('webhooks', () => {
  let kg: Keygate;
  let alice: string; // root of acme
  let receiver: WebhookReceiver;
  const lines: string[] = [];

  beforeEach(async () => {
    lines.length = 0;
    const logger = pino(
      { level: 'info' },
      new Writable({
        write(chunk, _encoding, done) {
          lines.push(String(chunk));
          done();
        },
      }),
    );
    kg = await bootKeygate({ env: FAST_RETRIES, logger });
    alice = await signJwt(root('alice', 'acme'));
    receiver = await new WebhookReceiver().start();
  });
  afterEach(async () => {
    await receiver.stop();
    await kg.close();
  });

  const register = async (url = receiver.url, jwt = alice) => {
    const res = await kg.api(jwt).post('/api/webhooks', { url });
    expect(res.status).toBe(201);
    return res.body as { id: string; url: string; secret: string; createdAt: string };
  };

  it('registers endpoints for root users only, shows the secret once, lists and deletes them; other companies see nothing', async () => {
    const res = await kg.api(alice).post('/api/webhooks', { url: receiver.url });
    expect(res.status).toBe(201);
    expect(Object.keys(res.body).sort()).toEqual(['createdAt', 'id', 'secret', 'url']);
    expect(res.body).toEqual({ id: expect.stringMatching(/^wh_[\w-]{16}$/), url: receiver.url, secret: expect.stringMatching(/^whsec_[A-Za-z0-9+/]{43}=$/), createdAt: kg.clock.now().toISOString() });
    const { id, secret } = res.body;

    const list = await kg.api(alice).get('/api/webhooks');
    expect(list.status).toBe(200);
    expect(list.body).toEqual({ items: [{ id, url: receiver.url, createdAt: res.body.createdAt, lastDelivery: null, nextRetryAt: null }] });
    const deliveries = await kg.api(alice).get(`/api/webhooks/${id}/deliveries`);
    expect(deliveries.body).toEqual({ items: [] });
    for (const text of [list.text, deliveries.text]) expect(text).not.toContain(secret.slice(6));
    // Stored sealed (AES-256-GCM): neither the secret nor its bytes in base64 are in the database file.
    expect(kg.storedBytes().includes(secret.slice(6))).toBe(false);

    // Not root: 403, whatever the route. Another company: its own (empty) list, and 404 for acme's endpoint.
    const bob = await signJwt({ ...plainUser('bob', 'acme'), permissions: ['settings:view', 'settings:edit'] });
    expectProblem(await kg.api(bob).post('/api/webhooks', { url: receiver.url }), 403, /root users/);
    expectProblem(await kg.api(bob).get('/api/webhooks'), 403);
    expectProblem(await kg.api(bob).delete(`/api/webhooks/${id}`), 403);
    expectProblem(await kg.api(bob).get(`/api/webhooks/${id}/deliveries`), 403);
    const globexRoot = await signJwt(root('gina', 'globex'));
    expect((await kg.api(globexRoot).get('/api/webhooks')).body).toEqual({ items: [] });
    expectProblem(await kg.api(globexRoot).delete(`/api/webhooks/${id}`), 404);
    expectProblem(await kg.api(globexRoot).get(`/api/webhooks/${id}/deliveries`), 404);
    expectProblem(await kg.api(alice).get('/api/webhooks/not-an-id/deliveries'), 404);

    // Bad URLs: 400 problem+json naming the rule.
    expectProblem(await kg.api(alice).post('/api/webhooks', { url: 'http://hooks.example.com/x' }), 400, /https/);
    expectProblem(await kg.api(alice).post('/api/webhooks', { url: 'ftp://hooks.example.com/x' }), 400, /https/);
    expectProblem(await kg.api(alice).post('/api/webhooks', { url: `https://h.example.com/${'a'.repeat(2048)}` }), 400, /2048/);
    expectProblem(await kg.api(alice).post('/api/webhooks', { url: 'https://u:p@hooks.example.com/' }), 400, /credentials/);
    expectProblem(await kg.api(alice).post('/api/webhooks', {}), 400);
    expectProblem(await kg.api(alice).post('/api/webhooks', { url: receiver.url, events: ['all'] }), 400);

    // At most 10 per company: the 11th is a 409; another company is not affected.
    for (let i = 1; i < 10; i++) await register(`https://hooks.example.com/${i}`);
    expectProblem(await kg.api(alice).post('/api/webhooks', { url: 'https://hooks.example.com/11' }), 409, /10 webhook endpoints/);
    await register('https://hooks.example.com/globex', globexRoot);

    // Delete: 204, then 404; the list shrinks.
    expect((await kg.api(alice).delete(`/api/webhooks/${id}`)).status).toBe(204);
    expectProblem(await kg.api(alice).delete(`/api/webhooks/${id}`), 404);
    expect((await kg.api(alice).get('/api/webhooks')).body.items).toHaveLength(9);
  });

  it("delivers every lifecycle event of the company from registration on, signed, in log order, without the verifier", async () => {
    const before = await kg.mintKey(alice, 'before registration');
    const { id, secret } = await register();
    receiver.secret = secret;
    const from = await kg.keygate.runtime.store.headPosition();

    const a = await kg.mintKey(alice, 'a');
    const b = await kg.mintKey(alice, 'b');
    const globex = await signJwt(root('gina', 'globex'));
    await kg.mintKey(globex, 'not acme');
    await retire(kg, alice, a.key.id);
    await retire(kg, alice, before.key.id);

    const expected = await lifecycleEvents(kg, 'acme', from);
    await receiver.waitFor(() => receiver.firstReceipts().length >= expected.length, `${expected.length} deliveries`);
    const got = receiver.firstReceipts();
    // Exactly the company's events since registration, first received in log order (so per key too).
    expect(idsOf(got)).toEqual(expected.map((e) => e.eventId));
    expect(got.every((r) => r.verified)).toBe(true);
    expect(got.map((r) => r.payload.type)).toEqual(expected.map((e) => `key.${e.type.slice(3).toLowerCase()}`));
    expect(got.map((r) => r.payload.data.position)).toEqual(expected.map((e) => e.globalPosition));
    expect(new Set(got.map((r) => r.payload.data.keyId))).toEqual(new Set([a.key.id, b.key.id, before.key.id]));
    expect(got.filter((r) => r.payload.data.keyId === before.key.id).map((r) => r.payload.type)).toEqual(['key.revoked', 'key.deleted']);

    // KeyMinted's data, without its argon2id verifier.
    const minted = got.find((r) => r.payload.type === 'key.minted' && r.payload.data.keyId === a.key.id)!;
    expect(minted.payload).toEqual({
      type: 'key.minted',
      timestamp: a.key.createdAt,
      data: expect.objectContaining({ keyId: a.key.id, companyId: 'acme', label: 'a', prefix: a.key.prefix, actorUserId: 'alice', eventType: 'KeyMinted', stream: 'keyring-acme' }),
    });
    const verifier = (expected.find((e) => e.eventId === minted.id)!.data as { verifier: string }).verifier;
    expect(verifier).toMatch(/^\$argon2id\$/);
    for (const r of receiver.received) {
      expect(r.body).not.toContain(verifier);
      expect(r.body).not.toContain('argon2');
      expect(r.payload.data.verifier).toBeUndefined();
      expect(r.body).not.toContain(a.token);
    }

    // The delivery log and the list: every attempt 2xx, never the secret.
    const deliveries = await kg.api(alice).get(`/api/webhooks/${id}/deliveries`);
    expect(deliveries.status).toBe(200);
    expect(deliveries.body.items.map((d: { eventId: string }) => d.eventId).reverse()).toEqual(idsOf(receiver.received));
    expect(deliveries.body.items[0]).toEqual({
      eventId: expected.at(-1)!.eventId,
      type: 'key.deleted',
      position: expected.at(-1)!.globalPosition,
      attempt: 1,
      at: expect.any(String),
      durationMs: expect.any(Number),
      statusCode: 204,
      error: null,
      delivered: true,
      nextRetryAt: null,
    });
    const list = await kg.api(alice).get('/api/webhooks');
    expect(list.body.items[0].lastDelivery).toEqual(deliveries.body.items[0]);
    for (const text of [deliveries.text, list.text, ...lines]) expect(text).not.toContain(secret.slice(6));
  });

  it('a receiver that was down gets what it missed, in order, once it is back on the same port; failures are logged and counted', async () => {
    const { id, secret } = await register();
    receiver.secret = secret;
    const from = await kg.keygate.runtime.store.headPosition();
    const first = await kg.mintKey(alice, 'first');
    await receiver.waitFor(() => receiver.received.length >= 2, 'the first mint');

    // Down: connections refused. Events go on; attempts fail and are retried with backoff.
    await receiver.stop();
    await retire(kg, alice, first.key.id);
    const second = await kg.mintKey(alice, 'second');
    await kg.api(alice).post(`/api/keys/${second.key.id}/revoke`);
    const failing = async () => (await kg.api(alice).get(`/api/webhooks/${id}/deliveries`)).body.items as { delivered: boolean; attempt: number; error: string | null; nextRetryAt: string | null }[];
    const deadline = Date.now() + 10_000;
    while ((await failing()).filter((d) => !d.delivered).length < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    const failed = (await failing()).filter((d) => !d.delivered);
    expect(failed.length).toBeGreaterThanOrEqual(3);
    expect(failed[0]).toEqual(expect.objectContaining({ error: 'no answer', nextRetryAt: expect.any(String) }));
    expect(Math.max(...failed.map((d) => d.attempt))).toBeGreaterThanOrEqual(3);
    expect((await kg.api(alice).get('/api/webhooks')).body.items[0].nextRetryAt).toEqual(expect.any(String));

    // Back on the same port, answering 500 twice first: retried until 2xx.
    receiver.failNext = 2;
    await receiver.start();
    const expected = await lifecycleEvents(kg, 'acme', from);
    await receiver.waitFor(() => new Set(idsOf(receiver.received.filter((r) => r.answered === 204))).size >= expected.length, 'catching up');
    expect(idsOf(receiver.firstReceipts())).toEqual(expected.map((e) => e.eventId));
    // Answered 2xx once each, in log order: what was missed arrived in order.
    expect(idsOf(receiver.received.filter((r) => r.answered === 204))).toEqual(expected.map((e) => e.eventId));
    expect(receiver.received.every((r) => r.verified)).toBe(true);
    expect(receiver.received.filter((r) => r.answered === 500)).toHaveLength(2);
    const last = (await kg.api(alice).get('/api/webhooks')).body.items[0];
    expect(last).toEqual(expect.objectContaining({ nextRetryAt: null, lastDelivery: expect.objectContaining({ delivered: true, statusCode: 204 }) }));

    // Logged (no secret) and counted.
    const failures = lines.filter((l) => l.includes('webhook delivery failed'));
    expect(failures.length).toBeGreaterThanOrEqual(3);
    expect(JSON.parse(failures[0]).webhook).toEqual(expect.objectContaining({ endpointId: id, origin: `http://127.0.0.1:${receiver.port}` }));
    for (const l of lines) expect(l).not.toContain(secret.slice(6));
    const metrics = await kg.api().get('/metrics');
    expect(metrics.text).toMatch(/keygate_webhook_delivery_failures_total\{reason="network"[^}]*\} [1-9]/);
    expect(metrics.text).toMatch(/keygate_webhook_delivery_failures_total\{reason="http_status"[^}]*\} 2/);
  });

  it('a receiver that hangs holds back neither the API nor the other endpoints', async () => {
    const keys = await Promise.all(times(2, (i) => kg.mintKey(alice, `k${i}`)));
    const listTimes = async () => {
      const ms: number[] = [];
      for (let i = 0; i < 15; i++) {
        const started = performance.now();
        expect((await kg.api(alice).get('/api/keys')).status).toBe(200);
        ms.push(performance.now() - started);
      }
      return ms.sort((x, y) => x - y)[7];
    };
    const revokeTime = async (keyId: string) => {
      const started = performance.now();
      expect((await kg.api(alice).post(`/api/keys/${keyId}/revoke`)).status).toBe(200);
      return performance.now() - started;
    };
    const baseline = { list: await listTimes(), revoke: await revokeTime(keys[0].key.id) };

    // One endpoint hangs (holds every request until its 2 s timeout), one answers.
    const healthy = await new WebhookReceiver().start();
    try {
      receiver.mode = 'hang';
      await register(receiver.url);
      const ok = await register(healthy.url);
      healthy.secret = ok.secret;
      const third = await kg.mintKey(alice, 'third');
      await receiver.waitFor(() => receiver.hanging > 0, 'a hanging delivery');

      const during = { list: await listTimes(), revoke: await revokeTime(keys[1].key.id) };
      // The hanging delivery is still held after these answers: the API did not wait for it.
      expect(receiver.hanging).toBe(1);
      expect(during.list).toBeLessThan(baseline.list * 3 + 5);
      expect(during.revoke).toBeLessThan(baseline.revoke * 3 + 20);
      // The healthy endpoint got the mint and the revoke while the other hung.
      await healthy.waitFor(() => healthy.received.some((r) => r.payload.data.keyId === keys[1].key.id), 'the revoke at the healthy endpoint');
      expect(healthy.received.some((r) => r.payload.data.keyId === third.key.id)).toBe(true);
      expect(receiver.hanging).toBe(1);
      expect(receiver.received).toHaveLength(1);

      // The hung attempt ends as a timeout in its delivery log, and is retried.
      const hungId = (await kg.api(alice).get('/api/webhooks')).body.items.find((w: { url: string }) => w.url === receiver.url).id;
      await receiver.waitFor(() => receiver.received.length >= 2, 'the retry after the timeout', 10_000);
      const log = (await kg.api(alice).get(`/api/webhooks/${hungId}/deliveries`)).body.items;
      expect(log.at(-1)).toEqual(expect.objectContaining({ attempt: 1, delivered: false, statusCode: null, error: 'timeout' }));
      expect(receiver.received[1].id).toBe(receiver.received[0].id);
    } finally {
      await healthy.stop();
    }
  });
});

describe('webhooks with two processes on one file', () => {
  it('each event reaches the endpoint, in order, from one process at a time (a lease per endpoint)', async () => {
    const dataDir = newDataDir();
    const a = await bootKeygate({ dataDir, pollIntervalMs: 20, env: FAST_RETRIES });
    const b = await bootKeygate({ dataDir, pollIntervalMs: 20, env: FAST_RETRIES });
    const receiver = await new WebhookReceiver().start();
    try {
      const alice = await signJwt(root('alice', 'acme'));
      const res = await a.api(alice).post('/api/webhooks', { url: receiver.url });
      receiver.secret = res.body.secret;
      const from = await a.keygate.runtime.store.headPosition();
      // Both processes deliver (each follows the shared file); their writes interleave.
      for (let i = 0; i < 3; i++) {
        const minted = await (i % 2 ? a : b).mintKey(alice, `k${i}`);
        await (i % 2 ? b : a).api(alice).post(`/api/keys/${minted.key.id}/revoke`);
      }
      const expected = await lifecycleEvents(a, 'acme', from);
      await receiver.waitFor(() => receiver.firstReceipts().length >= expected.length, 'every event');
      await new Promise((r) => setTimeout(r, 300));
      expect(idsOf(receiver.firstReceipts())).toEqual(expected.map((e) => e.eventId));
      expect(receiver.received.every((r) => r.verified)).toBe(true);
      // The lease: no event was sent by both.
      expect(receiver.received).toHaveLength(expected.length);
    } finally {
      await receiver.stop();
      await b.close({ keepData: true });
      await a.close();
    }
  });
});
