/*
 * Load time of a keyring with a long history (20,000 events): a cold full fold against a cached load that reads only
 * the tail. Printed, asserted only loosely (the machine may be busy): the figures are for the report.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { openSqlite, SqliteEventStore, type NewEvent, type SqliteDb } from '#event-store';
import { keyringStreamId, type KeyLifecycleEvent } from '../domain/key-events.js';
import { DEFAULT_KEY_POLICY } from '../domain/key-policy.js';
import { KeyringRepository } from './keyring-repository.js';

const EVENTS = 20_000;
const MINUTE = 60_000;
const COMPANY = 'longhaul';
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** ack → mint → revoke cycles of 200 users, one a minute: about 14 days of a busy company. */
function* history(start: number): Generator<KeyLifecycleEvent> {
  for (let i = 0; ; i++) {
    const userId = `user${i % 200}`;
    const keyId = `K${String(i).padStart(11, '0')}`;
    const at = start + i * MINUTE;
    const ctx = (ms: number) => ({ actorUserId: userId, actorName: userId, companyId: COMPANY, keyId, correlationId: `c-${i}`, at: new Date(ms).toISOString() });
    const acknowledgementId = `ack-${keyId}`;
    yield { type: 'KeyAcknowledged', data: { ...ctx(at), acknowledgementId, noticeVersion: 'v1', expiresAt: new Date(at + 15 * MINUTE).toISOString() } };
    yield {
      type: 'KeyMinted',
      data: {
        ...ctx(at + 20_000), acknowledgementId, label: `key ${i}`, prefix: `kg_${keyId}`, verifier: '$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2g',
        permissions: [], creatorRole: 'user', expiresAt: new Date(at + 90 * 24 * 60 * MINUTE).toISOString(),
      },
    };
    yield { type: 'KeyRevoked', data: ctx(at + 40_000) };
  }
}

describe('loading a keyring with a 20,000-event history', () => {
  let dir: string;
  let db: SqliteDb;
  let store: SqliteEventStore;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'keygate-longhaul-'));
    db = openSqlite(join(dir, 'keygate.sqlite'));
    store = new SqliteEventStore(db);
    const events = history(Date.parse('2026-05-10T12:00:00.000Z'));
    for (let written = 0; written < EVENTS; written += 1000) {
      const batch: NewEvent[] = [];
      for (let i = 0; i < 1000; i++) {
        const e = events.next().value as KeyLifecycleEvent;
        batch.push({ eventId: `e-${written + i}`, type: e.type, data: e.data });
      }
      await store.appendToStream(keyringStreamId(COMPANY), batch, 'any');
    }
  });
  afterAll(async () => {
    await store.close();
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('reads and folds only the tail once the keyring is cached (figures printed)', async () => {
    const timed = async (work: () => Promise<unknown>) => {
      const start = performance.now();
      await work();
      return performance.now() - start;
    };
    const cold: number[] = [];
    for (let i = 0; i < 5; i++) cold.push(await timed(() => new KeyringRepository(store, DEFAULT_KEY_POLICY).load(COMPANY)));

    const repo = new KeyringRepository(store, DEFAULT_KEY_POLICY);
    const writer = new KeyringRepository(store, DEFAULT_KEY_POLICY); // another process appending in between
    await repo.load(COMPANY);
    const [unchanged, tail] = [[] as number[], [] as number[]];
    const t = Date.parse('2026-06-01T00:00:00.000Z');
    for (let i = 0; i < 20; i++) {
      unchanged.push(await timed(() => repo.load(COMPANY)));
      const keyId = `T${String(i).padStart(11, '0')}`;
      await writer.execute(COMPANY, {
        type: 'AcknowledgeNotice', actor: { userId: `late${i}`, name: 'Late', companyId: COMPANY, role: 'user', permissions: [] },
        acknowledgementId: `ack-${keyId}`, keyId, noticeVersion: 'v1', now: new Date(t + i * 1000), correlationId: `late-${i}`,
      });
      tail.push(await timed(() => repo.load(COMPANY)));
    }

    const { state, position } = await repo.load(COMPANY);
    console.log(
      `keyring of ${position + 1} events (state: ${state.keys.size} keys, ${state.acknowledgements.size} acknowledgements): ` +
        `cold full fold ${median(cold).toFixed(1)} ms (median of 5); cached, 1 new event ${median(tail).toFixed(2)} ms; ` +
        `cached, nothing new ${median(unchanged).toFixed(3)} ms (medians of 20)`,
    );
    expect(state.acknowledgements.size).toBeLessThan(100);
    expect(median(tail)).toBeLessThan(median(cold));
  });
});
