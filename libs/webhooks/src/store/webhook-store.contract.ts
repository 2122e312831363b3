import { randomUUID } from 'node:crypto';
import { DELIVERY_LOG_SIZE, type DeliveryAttempt, type WebhookEndpoint, type WebhookStore } from './webhook-store.port.js';

export interface WebhookStoreFixture {
  store: WebhookStore;
  /** A second handle on the same data (another process): leases must hold across it. */
  other(): Promise<WebhookStore>;
  teardown(): Promise<void>;
}

/**
 * What every WebhookStore adapter must do. Company ids are unique per test, so a shared, non-empty store will do
 * (all() is checked for containing, not equalling).
 */
export function webhookStoreContract(name: string, setup: () => Promise<WebhookStoreFixture>): void {
  describe(`WebhookStore contract: ${name}`, () => {
    let fixture: WebhookStoreFixture;
    let store: WebhookStore;
    let ns: string;
    beforeEach(async () => {
      fixture = await setup();
      store = fixture.store;
      await store.init();
      ns = randomUUID().slice(0, 8);
    });
    afterEach(() => fixture.teardown());

    let n = 0;
    const endpoint = (company: string, overrides: Partial<WebhookEndpoint> = {}): WebhookEndpoint => ({
      id: `wh_${ns}${String(++n).padStart(8, '0')}`,
      companyId: `${company}-${ns}`,
      url: `https://hooks.example.com/${n}`,
      secretCiphertext: `v1.iv.ct${n}.tag`,
      createdAt: new Date(Date.UTC(2026, 4, 10, 12, 0, n)).toISOString(),
      createdBy: 'alice',
      cursor: 10,
      retry: null,
      lastDelivery: null,
      ...overrides,
    });
    const attempt = (e: WebhookEndpoint, position: number, overrides: Partial<DeliveryAttempt> = {}): DeliveryAttempt => ({
      endpointId: e.id,
      eventId: `evt-${position}`,
      type: 'key.minted',
      position,
      attempt: 1,
      at: '2026-05-10T12:00:00.000Z',
      durationMs: 3,
      statusCode: 204,
      error: null,
      delivered: true,
      nextRetryAt: null,
      ...overrides,
    });

    it('adds, lists oldest first, gets and removes endpoints within their company only', async () => {
      const [a1, a2, b1] = [endpoint('acme'), endpoint('acme'), endpoint('globex')];
      for (const e of [a1, a2, b1]) expect(await store.add(e, 10)).toBe('added');
      expect(await store.list(a1.companyId)).toEqual([a1, a2]);
      expect(await store.get(a1.companyId, a2.id)).toEqual(a2);
      expect(await store.get(b1.companyId, a2.id)).toBeNull();
      expect(await store.all()).toEqual(expect.arrayContaining([a1, a2, b1]));
      expect(await store.remove(b1.companyId, a1.id)).toBe(false);
      expect(await store.remove(a1.companyId, a1.id)).toBe(true);
      expect(await store.remove(a1.companyId, a1.id)).toBe(false);
      expect(await store.list(a1.companyId)).toEqual([a2]);
    });

    it('refuses an endpoint past the per-company limit, nothing added; another company is not affected', async () => {
      const first = [endpoint('acme'), endpoint('acme'), endpoint('acme')];
      for (const e of first) expect(await store.add(e, 3)).toBe('added');
      expect(await store.add(endpoint('acme'), 3)).toBe('limit');
      expect(await store.list(first[0].companyId)).toHaveLength(3);
      expect(await store.add(endpoint('globex'), 3)).toBe('added');
      await store.remove(first[0].companyId, first[0].id);
      expect(await store.add(endpoint('acme'), 3)).toBe('added');
    });

    it('leases an endpoint to one owner at a time, across handles, until it lapses or is released; with the fresh row', async () => {
      const e = endpoint('acme');
      await store.add(e, 10);
      const other = await fixture.other();
      expect(await store.lease(e.id, 'A', 1000, 2000)).toEqual(e);
      expect(await other.lease(e.id, 'B', 1500, 2500)).toBeNull();
      expect(await store.lease(e.id, 'A', 1500, 3000)).toEqual(e); // renewed
      expect(await other.lease(e.id, 'B', 2500, 3500)).toBeNull();
      expect(await other.lease(e.id, 'B', 3001, 4000)).toEqual(e); // lapsed
      expect(await store.advance(e.id, 'A', 50)).toBe(false); // A lost it
      expect(await other.advance(e.id, 'B', 50)).toBe(true);
      await store.release(e.id, 'A'); // not A's: no effect
      expect(await store.lease(e.id, 'A', 3100, 5000)).toBeNull();
      await other.release(e.id, 'B');
      expect(await store.lease(e.id, 'A', 3100, 5000)).toEqual({ ...e, cursor: 50 });
      expect(await store.lease('wh_nonexistent00000', 'A', 0, 1)).toBeNull();
    });

    it('moves the cursor forward only, under the lease, clearing the retry', async () => {
      const e = endpoint('acme');
      await store.add(e, 10);
      await store.lease(e.id, 'A', 0, 10_000);
      const retry = { eventId: 'evt-20', attempts: 2, nextAttemptAt: '2026-05-10T12:00:10.000Z' };
      expect(await store.recordAttempt(attempt(e, 20, { delivered: false, statusCode: 500, error: 'HTTP 500', nextRetryAt: retry.nextAttemptAt, attempt: 2 }), 'A', retry)).toBe(true);
      expect((await store.get(e.companyId, e.id))!.retry).toEqual(retry);
      expect(await store.advance(e.id, 'A', 30)).toBe(true);
      expect(await store.get(e.companyId, e.id)).toEqual(expect.objectContaining({ cursor: 30, retry: null }));
      await store.advance(e.id, 'A', 25);
      expect((await store.get(e.companyId, e.id))!.cursor).toBe(30);
    });

    it('records attempts: delivered moves the cursor; failed sets the retry; both are the last delivery; the log is bounded, newest first', async () => {
      const e = endpoint('acme');
      await store.add(e, 10);
      await store.lease(e.id, 'A', 0, 10_000);
      const failed = attempt(e, 40, { delivered: false, statusCode: null, error: 'timeout', nextRetryAt: '2026-05-10T12:01:00.000Z' });
      const retry = { eventId: 'evt-40', attempts: 1, nextAttemptAt: '2026-05-10T12:01:00.000Z' };
      expect(await store.recordAttempt(failed, 'A', retry)).toBe(true);
      expect(await store.get(e.companyId, e.id)).toEqual({ ...e, retry, lastDelivery: failed });
      const ok = attempt(e, 40, { attempt: 2 });
      expect(await store.recordAttempt(ok, 'A', null)).toBe(true);
      expect(await store.get(e.companyId, e.id)).toEqual({ ...e, cursor: 40, retry: null, lastDelivery: ok });
      expect(await store.deliveries(e.id, 10)).toEqual([ok, failed]);

      // Not the lease holder: logged (it reached the receiver), but the endpoint's state does not move.
      const stray = attempt(e, 50);
      expect(await store.recordAttempt(stray, 'B', null)).toBe(false);
      expect((await store.get(e.companyId, e.id))!.cursor).toBe(40);
      expect((await store.deliveries(e.id, 1))[0]).toEqual(stray);

      for (let i = 0; i < DELIVERY_LOG_SIZE + 5; i++) await store.recordAttempt(attempt(e, 100 + i), 'A', null);
      const log = await store.deliveries(e.id, 1000);
      expect(log).toHaveLength(DELIVERY_LOG_SIZE);
      expect(log[0].position).toBe(100 + DELIVERY_LOG_SIZE + 4);
      expect(log.at(-1)!.position).toBe(105);
      expect((await store.get(e.companyId, e.id))!.cursor).toBe(100 + DELIVERY_LOG_SIZE + 4);
    });

    it('removing an endpoint removes its delivery log', async () => {
      const e = endpoint('acme');
      await store.add(e, 10);
      await store.lease(e.id, 'A', 0, 10_000);
      await store.recordAttempt(attempt(e, 11), 'A', null);
      await store.remove(e.companyId, e.id);
      expect(await store.deliveries(e.id, 10)).toEqual([]);
      expect(await store.recordAttempt(attempt(e, 12), 'A', null)).toBe(false);
      expect(await store.deliveries(e.id, 10)).toEqual([]);
    });
  });
}
