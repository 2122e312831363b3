import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqlite, SqliteEventStore, sqliteFileIn, type SqliteDb } from '#event-store';
import { KEY_LIFECYCLE_EVENT_TYPES } from '#keys';
import { WebhookReceiver } from '#test-support/webhook-receiver';
import { generateWebhookSecret, SecretBox } from '../secret/webhook-secret.js';
import { SqliteWebhookStore } from '../store/sqlite-webhook-store.js';
import { WebhookDeliverer } from './webhook-deliverer.js';

// The deliverer over real parts (a SQLite log and store on a file, a receiver on 127.0.0.1): what survives a stop
// and a process that died holding a lease.

describe('WebhookDeliverer across restarts', () => {
  let dir: string;
  let db: SqliteDb;
  let log: SqliteEventStore;
  let endpoints: SqliteWebhookStore;
  let receiver: WebhookReceiver;
  const box = new SecretBox(randomBytes(32));
  const running: WebhookDeliverer[] = [];

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'keygate-deliverer-'));
    db = openSqlite(sqliteFileIn(dir));
    log = new SqliteEventStore(db, { pollIntervalMs: 20 });
    endpoints = new SqliteWebhookStore(db);
    endpoints.initSync();
    receiver = await new WebhookReceiver().start();
  });
  afterEach(async () => {
    await Promise.all(running.splice(0).map((d) => d.stop()));
    await receiver.stop();
    await log.close();
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const deliverer = () => {
    const d = new WebhookDeliverer({ log, endpoints, secrets: box, eventTypes: KEY_LIFECYCLE_EVENT_TYPES, timeoutMs: 2000, backoff: { initialMs: 20, maxMs: 100 }, pollMs: 50 });
    running.push(d);
    d.start();
    return d;
  };
  const revoke = async (companyId: string, keyId: string) => {
    const eventId = randomUUID();
    await log.appendToStream(`keyring-${companyId}`, [{ eventId, type: 'KeyRevoked', data: { companyId, keyId, actorUserId: 'a', actorName: 'A', correlationId: 'c', at: new Date().toISOString() } }], 'any');
    return eventId;
  };
  const register = async () => {
    const secret = generateWebhookSecret();
    receiver.secret = secret;
    await endpoints.add(
      { id: 'wh_0123456789abcdef', companyId: 'acme', url: receiver.url, secretCiphertext: box.seal(secret, 'wh_0123456789abcdef'), createdAt: new Date().toISOString(), createdBy: 'a', cursor: await log.headPosition(), retry: null, lastDelivery: null },
      10,
    );
  };

  it('a stopped deliverer is resumed by the next from the durable cursor: nothing lost, nothing sent twice', async () => {
    await revoke('acme', 'before');
    await register();
    const first = deliverer();
    const sent = [await revoke('acme', 'k1'), await revoke('globex', 'x'), await revoke('acme', 'k2')];
    await receiver.waitFor(() => receiver.received.length >= 2, 'the first two');
    // Stopped once both deliveries are recorded: a stop while a request is in flight aborts it, and an event whose
    // answer was not recorded is sent again (at least once), which is not what this test is about.
    const recorded = async () => (await endpoints.deliveries('wh_0123456789abcdef', 10)).filter((d) => d.delivered).length;
    for (let waited = 0; (await recorded()) < 2; waited += 10) {
      if (waited > 5000) throw new Error('the first two deliveries were not recorded within 5 s');
      await new Promise((r) => setTimeout(r, 10));
    }
    await first.stop();
    sent.push(await revoke('acme', 'k3'), await revoke('acme', 'k4'));
    await new Promise((r) => setTimeout(r, 150));
    expect(receiver.received).toHaveLength(2);

    deliverer();
    await receiver.waitFor(() => receiver.received.length >= 4, 'the rest');
    await new Promise((r) => setTimeout(r, 150));
    expect(receiver.received.map((r) => r.id)).toEqual([sent[0], sent[2], sent[3], sent[4]]);
    expect(receiver.received.every((r) => r.verified)).toBe(true);
  });

  it('an endpoint whose lease a dead process holds is taken over once the lease lapses, from its cursor', async () => {
    await register();
    const lapse = Date.now() + 400;
    expect(await endpoints.lease('wh_0123456789abcdef', 'dead-process', Date.now(), lapse)).not.toBeNull();
    const id = await revoke('acme', 'k1');
    deliverer();
    await new Promise((r) => setTimeout(r, 200));
    expect(receiver.received).toHaveLength(0);
    await receiver.waitFor(() => receiver.received.length >= 1, 'the takeover');
    expect(Date.now()).toBeGreaterThanOrEqual(lapse);
    expect(receiver.received.map((r) => r.id)).toEqual([id]);
  });
});
