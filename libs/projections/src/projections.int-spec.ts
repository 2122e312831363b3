import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqlite, SqliteEventStore, type SqliteDb } from '#event-store';
import { DEFAULT_KEY_POLICY, KeyringRepository, type Actor, type KeyCommand } from '#keys';
import { embeddedReadSide } from './embedded-read-side.js';
import { ACTIVITY_TABLE } from './activity-feed/activity-feed.projection.sqlite.js';
import { KEY_LOOKUP_TABLE } from './key-lookup/key-lookup.projection.sqlite.js';
import { KEYS_LIST_TABLE } from './keys-list/keys-list.projection.sqlite.js';

const TABLES = [KEYS_LIST_TABLE, ACTIVITY_TABLE, 'activity_keys_v1', KEY_LOOKUP_TABLE];
const snapshot = (db: SqliteDb) =>
  Object.fromEntries(TABLES.map((t) => [t, db.prepare(`SELECT * FROM ${t} ORDER BY 1`).all()]));

const actor = (userId: string, companyId: string, role: 'root' | 'user' = 'user'): Actor => ({
  userId, name: userId.toUpperCase(), companyId, role, permissions: ['clients:read'],
});

/** A history with every event type, over two companies, written through the real decider. */
const writeHistory = async (repo: KeyringRepository, store: SqliteEventStore) => {
  let t = Date.parse('2026-05-10T12:00:00Z');
  const at = () => new Date((t += 1000));
  const run = (company: string, c: KeyCommand extends infer K ? (K extends KeyCommand ? Omit<K, 'now' | 'correlationId'> : never) : never) =>
    repo.execute(company, { ...c, now: at(), correlationId: `c-${t}` } as KeyCommand);
  const ids: string[] = [];
  for (const [company, users] of [['acme', ['alice', 'bob']], ['globex', ['carol']]] as const) {
    for (const user of users) {
      for (let i = 0; i < 3; i++) {
        const keyId = `${user.padEnd(9, 'x')}${i}${company[0]}K`.slice(0, 12);
        const a = actor(user, company);
        await run(company, { type: 'AcknowledgeNotice', actor: a, acknowledgementId: `ack-${keyId}`, keyId, noticeVersion: 'v1' });
        await run(company, { type: 'MintKey', actor: a, acknowledgementId: `ack-${keyId}`, label: `key ${i}`, keyId, prefix: `kg_${keyId}`, verifier: `$argon2id$fake-${keyId}` });
        ids.push(`${company}/${keyId}`);
      }
    }
  }
  // Uses go to their own stream, as the MCP endpoint will write them.
  const [company, keyId] = ids[0].split('/');
  await store.appendToStream(`usage-${keyId}`, [{ eventId: 'use-1', type: 'KeyUsed', data: {
    actorUserId: 'alice', actorName: 'ALICE', companyId: company, keyId, correlationId: 'r1', at: at().toISOString(),
    tool: 'whoami', outcome: 'ok', client: { name: 'claude-code', version: '2.1' }, remoteAddress: '127.0.0.1', requestId: 'r1' } }], 'any');
  const root = actor('root', 'acme', 'root');
  const [, revoked] = ids[1].split('/');
  await run('acme', { type: 'RevokeKey', actor: root, keyId: revoked });
  await run('acme', { type: 'DeleteKey', actor: root, keyId: revoked });
  const [, lapsed] = ids[2].split('/');
  t += DEFAULT_KEY_POLICY.keyTtlMs;
  await run('acme', { type: 'ExpireKey', companyId: 'acme', keyId: lapsed });
};

describe('embedded projections', () => {
  let dir: string;
  let db: SqliteDb;
  let store: SqliteEventStore;
  let read: ReturnType<typeof embeddedReadSide>;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'keygate-proj-'));
    db = openSqlite(join(dir, 'keygate.sqlite'));
    store = new SqliteEventStore(db, { pollIntervalMs: 10 });
    read = embeddedReadSide(db, store);
    read.runner.start();
    await writeHistory(new KeyringRepository(store, DEFAULT_KEY_POLICY), store);
    await read.runner.waitFor(await store.headPosition());
  });

  afterEach(async () => {
    await read.runner.stop();
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('follows the log live: list, feed and lookup reflect every event', async () => {
    const acme = await read.keys.list('acme', null);
    expect(acme.map((k) => k.status).sort()).toEqual(['active', 'active', 'active', 'active', 'expired']);
    expect(await read.keys.list('acme', 'bob')).toHaveLength(3);
    expect(acme.find((k) => k.lastUsedAt !== null)?.lastUsedAt).toBeDefined();
    const feed = await read.activity.query({ companyId: 'acme', visibleToOwner: null, limit: 100 });
    expect(feed.map((e) => e.type)).toEqual(expect.arrayContaining(['KeyAcknowledged', 'KeyMinted', 'KeyUsed', 'KeyRevoked', 'KeyDeleted', 'KeyExpired']));
    expect(feed).toHaveLength(6 * 2 + 4);
    expect(await read.activity.query({ companyId: 'globex', visibleToOwner: null, limit: 100 })).toHaveLength(6);
    const lookup = await read.lookup.all();
    expect(lookup).toHaveLength(9);
    expect(lookup.filter((e) => e.status === 'deleted')).toHaveLength(1);
    expect(lookup[0].permissions).toEqual(['clients:read']);
  });

  it('rebuilt from zero, every projection equals the live one', () => {
    const live = snapshot(db);
    for (const projection of read.runner.projections) read.runner.rebuild(projection.name);
    expect(snapshot(db)).toEqual(live);
    expect(read.runner.status().projections.every((p) => p.lag === 0)).toBe(true);
  });

  it('applying every event twice changes nothing', () => {
    const live = snapshot(db);
    const events = store.readAllSync({ after: 0, maxCount: 10_000 });
    for (const projection of read.runner.projections) {
      projection.reset(db);
      for (const e of events) {
        if (!projection.eventTypes.includes(e.type)) continue;
        projection.apply([e], db);
        projection.apply([e], db);
      }
    }
    // And the whole log once more, as a subscription resuming from an old checkpoint would.
    for (const projection of read.runner.projections) {
      for (const e of events) if (projection.eventTypes.includes(e.type)) projection.apply([e], db);
    }
    expect(snapshot(db)).toEqual(live);
  });

  it('keeps each checkpoint in the file, so a restart resumes where it stopped', async () => {
    await read.runner.stop();
    const head = await store.headPosition();
    const again = embeddedReadSide(db, store);
    expect(again.runner.status().projections.map((p) => p.checkpoint)).toEqual([head, head, head]);
  });
});
