import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { openSqlite, SqliteEventStore, sqliteFileIn, type SqliteDb } from '#event-store';
import { DEFAULT_KEY_POLICY, KeyringRepository, type Actor, type KeyCommand } from '#keys';
import { embeddedReadSide } from './embedded-read-side.js';
import { ACTIVITY_KEYS_TABLE, ACTIVITY_TABLE } from './activity-feed/activity-feed.projection.sqlite.js';
import { KEY_LOOKUP_TABLE } from './key-lookup/key-lookup.projection.sqlite.js';
import { KEYS_LIST_TABLE } from './keys-list/keys-list.projection.sqlite.js';

const TABLES = [KEYS_LIST_TABLE, ACTIVITY_TABLE, ACTIVITY_KEYS_TABLE, KEY_LOOKUP_TABLE];
const snapshot = (db: SqliteDb) =>
  Object.fromEntries(TABLES.map((t) => [t, db.prepare(`SELECT * FROM ${t} ORDER BY 1`).all()]));

const actor = (userId: string, companyId: string, role: 'root' | 'user' = 'user'): Actor => ({
  userId, name: userId.toUpperCase(), companyId, role, permissions: ['clients:read'],
});

/** A history with every event type, over two companies, written through the real decider. */
const writeHistory = async (repo: KeyringRepository, store: SqliteEventStore, settle: () => Promise<void>) => {
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
  // Uses go to their own stream, as the MCP endpoint writes them: a roll-up of five whoami fed by two batches
  // (the live side applies them apart, a rebuild together), and one list_api_keys.
  const [company, keyId] = ids[0].split('/');
  const minute = at().toISOString().slice(0, 17);
  const use = (n: number, tool = 'whoami', outcome = 'ok') => ({ eventId: `use-${n}`, type: 'KeyUsed', data: {
    actorUserId: 'alice', actorName: 'ALICE', companyId: company, keyId, correlationId: `r${n}`, at: `${minute}${String(10 + n).padStart(2, '0')}.000Z`,
    tool, outcome, client: { name: 'claude-code', version: '2.1' }, remoteAddress: '127.0.0.1', requestId: `r${n}` } });
  await store.appendToStream(`usage-${keyId}`, [use(1), use(2, 'whoami', 'error'), use(3)], 'any');
  await settle();
  await store.appendToStream(`usage-${keyId}`, [use(4), use(5, 'list_api_keys'), use(6, 'whoami', 'denied')], 'any');
  const root = actor('root', 'acme', 'root');
  const [, revoked] = ids[1].split('/');
  await run('acme', { type: 'RevokeKey', actor: root, keyId: revoked });
  await run('acme', { type: 'DeleteKey', actor: root, keyId: revoked });
  // Issue 15: Bob rotates one of his keys and the sweeper retires the old one at
  // the end of the overlap; Bob suspends, resumes and suspends another; Carol is offboarded; a warning before expiry.
  const [, rotated] = ids[3].split('/');
  await run('acme', { type: 'RotateKey', actor: actor('bob', 'acme'), keyId: rotated, newKeyId: 'rotatedBob01', prefix: 'kg_rotatedBob01', verifier: '$argon2id$fake-rotated', overlapMs: 3_600_000 });
  const [, paused] = ids[4].split('/');
  await run('acme', { type: 'SuspendKey', actor: actor('bob', 'acme'), keyId: paused });
  await run('acme', { type: 'ResumeKey', actor: actor('bob', 'acme'), keyId: paused });
  await run('acme', { type: 'SuspendKey', actor: actor('bob', 'acme'), keyId: paused });
  await run('globex', { type: 'RevokeUserKeys', actor: actor('groot', 'globex', 'root'), userId: 'carol' });
  t += 2 * 3_600_000;
  await run('acme', { type: 'RetireRotatedKey', companyId: 'acme', keyId: rotated });
  const [, lapsed] = ids[2].split('/');
  const [, warned] = ids[0].split('/');
  t += DEFAULT_KEY_POLICY.keyTtlMs - 3 * 86_400_000;
  await run('acme', { type: 'WarnExpiry', companyId: 'acme', keyId: warned });
  t += 3 * 86_400_000;
  await run('acme', { type: 'ExpireKey', companyId: 'acme', keyId: lapsed });
};

describe('embedded projections', () => {
  let dir: string;
  let db: SqliteDb;
  let store: SqliteEventStore;
  let read: ReturnType<typeof embeddedReadSide>;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'keygate-proj-'));
    db = openSqlite(sqliteFileIn(dir));
    store = new SqliteEventStore(db, { pollIntervalMs: 10 });
    read = embeddedReadSide(db, store);
    read.runner.start();
    await writeHistory(new KeyringRepository(store, DEFAULT_KEY_POLICY), store, async () => read.runner.waitFor(await store.headPosition()));
    await read.runner.waitFor(await store.headPosition());
  });

  afterEach(async () => {
    await read.runner.stop();
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('follows the log live: list, feed and lookup reflect every event', async () => {
    const acme = await read.keys.list('acme', null);
    expect(acme.map((k) => k.status).sort()).toEqual(['active', 'active', 'active', 'expired', 'revoked', 'suspended']);
    // The rotation by a root user: the new key is Bob's, the old one revoked for the rotation.
    const bobs = await read.keys.list('acme', 'bob');
    expect(bobs).toHaveLength(4);
    expect(bobs[0]).toMatchObject({ keyId: 'rotatedBob01', userId: 'bob', userName: 'BOB', status: 'active', permissions: ['clients:read'], rotatedFrom: bobs[3].keyId });
    expect(bobs[3]).toMatchObject({ status: 'revoked', revocationReason: 'rotated', rotatedTo: 'rotatedBob01' });
    expect(bobs[2]).toMatchObject({ status: 'suspended', revocationReason: null });
    expect(acme.find((k) => k.expiryWarnedDaysBefore !== null)).toMatchObject({ userId: 'alice', expiryWarnedDaysBefore: 7, status: 'active' });
    expect((await read.keys.list('globex', null)).map((k) => [k.status, k.revocationReason])).toEqual([
      ['revoked', 'offboarded'], ['revoked', 'offboarded'], ['revoked', 'offboarded'],
    ]);
    expect(acme.find((k) => k.lastUsedAt !== null)?.lastUsedAt).toBeDefined();
    const feed = await read.activity.query({ companyId: 'acme', visibleToOwner: null, limit: 100 });
    expect(new Set(feed.map((e) => e.type))).toEqual(new Set([
      'KeyAcknowledged', 'KeyMinted', 'KeyUsed', 'KeyRevoked', 'KeyDeleted', 'KeyExpired', 'KeyRotated', 'KeySuspended', 'KeyResumed', 'KeyExpiring',
    ]));
    // 6 acknowledgements and mints, a revoke, a delete, an expiry, the uses in two roll-ups; then a rotation (a mint
    // and KeyRotated), suspend, resume, suspend, the rotated key's retirement and a warning.
    expect(feed).toHaveLength(6 * 2 + 3 + 2 + 7);
    // Bob sees his rotation: the old key's KeyRotated, the new key's mint (and the old key's own mint).
    const bobsFeed = await read.activity.query({ companyId: 'acme', visibleToOwner: 'bob', limit: 100 });
    expect(bobsFeed.filter((e) => ['KeyRotated', 'KeyMinted'].includes(e.type) && e.actorUserId === 'bob' && (e.keyId === 'rotatedBob01' || e.keyId === bobs[3].keyId)).map((e) => e.type)).toEqual(['KeyRotated', 'KeyMinted', 'KeyMinted']); // newest first: the rotation, the new key, the old key's own mint
    expect(feed.filter((e) => e.type === 'KeyUsed').map((e) => [e.tool, e.count, e.outcomes])).toEqual([
      ['whoami', 5, { ok: 3, error: 1, denied: 1 }],
      ['list_api_keys', 1, { ok: 1, error: 0, denied: 0 }],
    ]);
    expect(await read.activity.query({ companyId: 'globex', visibleToOwner: null, limit: 100 })).toHaveLength(6 + 3);
    const lookup = await read.lookup.all();
    expect(lookup).toHaveLength(10);
    expect(lookup.find((e) => e.keyId === 'rotatedBob01')).toMatchObject({ userId: 'bob', status: 'active', rotatedTo: null });
    expect(lookup.find((e) => e.keyId === bobs[3].keyId)).toMatchObject({ status: 'revoked', rotatedTo: 'rotatedBob01' });
    expect(lookup.filter((e) => e.status === 'suspended')).toHaveLength(1);
    expect(lookup.filter((e) => e.status === 'deleted')).toHaveLength(1);
    expect(lookup[0].permissions).toEqual(['clients:read']);
  });

  it('rebuilt from zero, every projection equals the live one', () => {
    const live = snapshot(db);
    for (const projection of read.runner.projections) read.runner.rebuild(projection.name);
    expect(snapshot(db)).toEqual(live);
    expect(read.runner.status().projections.every((p) => p.lag === 0)).toBe(true);
  });

  it('rebuildAll: one pass for all three, equal to the live ones, secondary indexes back, checkpoints at the head', async () => {
    const live = snapshot(db);
    const indexes = () => db.prepare(`SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL ORDER BY name`).all();
    const before = indexes();
    expect(before.length).toBeGreaterThanOrEqual(7);
    const cacheSize = db.pragma('cache_size', { simple: true });
    read.runner.rebuildAll();
    // The larger page cache is the rebuild's only.
    expect(db.pragma('cache_size', { simple: true })).toBe(cacheSize);
    expect(snapshot(db)).toEqual(live);
    expect(indexes()).toEqual(before);
    const head = await store.headPosition();
    expect(read.runner.status().projections.map((p) => p.checkpoint)).toEqual([head, head, head]);
    // Twice in a row, and a subset: the same.
    read.runner.rebuildMany([ACTIVITY_TABLE, KEY_LOOKUP_TABLE]);
    read.runner.rebuildAll();
    expect(snapshot(db)).toEqual(live);
    expect(indexes()).toEqual(before);
  });

  it('while a rebuild runs (indexes dropped, tables emptied), another connection still reads the old rows and indexes', () => {
    const live = snapshot(db);
    // A second connection on the same file, as a second process would have (WAL: it reads the last commit).
    const other = new Database(sqliteFileIn(dir), { readonly: true });
    const seen: unknown[] = [];
    const look = () => ({
      rows: other.prepare(`SELECT COUNT(*) FROM ${ACTIVITY_TABLE}`).pluck().get(),
      keys: other.prepare(`SELECT COUNT(*) FROM ${KEYS_LIST_TABLE}`).pluck().get(),
      indexes: other.prepare(`SELECT COUNT(*) FROM sqlite_master WHERE type = 'index' AND name LIKE '${ACTIVITY_TABLE}_by_%'`).pluck().get(),
      plan: (other.prepare(`EXPLAIN QUERY PLAN SELECT * FROM ${ACTIVITY_TABLE} WHERE company_id = 'acme' ORDER BY position DESC`).all() as { detail: string }[])
        .map((r) => r.detail).join('; '),
      feed: other.prepare(`SELECT COUNT(*) FROM ${ACTIVITY_TABLE} WHERE company_id = 'acme'`).pluck().get(),
    });
    const outside = look();
    const lookup = read.runner.projections.find((p) => p.name === KEY_LOOKUP_TABLE)!;
    // A rebuild folds through the projection's bulk load: observe from its first batch.
    const original = lookup.bulkLoad!.bind(lookup);
    lookup.bulkLoad = (tx) => {
      const load = original(tx);
      return {
        apply: (events) => {
          // Inside the rebuild's transaction: this connection sees its own emptied tables, the other the old ones.
          if (seen.length === 0) seen.push({ mine: db.prepare(`SELECT COUNT(*) FROM sqlite_master WHERE type = 'index' AND name LIKE '${ACTIVITY_TABLE}_by_%'`).pluck().get(), ...look() });
          load.apply(events);
        },
        finish: () => load.finish(),
      };
    };
    try {
      read.runner.rebuildAll();
    } finally {
      lookup.bulkLoad = original;
    }
    expect(outside).toMatchObject({ rows: 33, keys: 10, indexes: 4, plan: expect.stringContaining(`${ACTIVITY_TABLE}_by_company`), feed: 24 });
    expect(seen).toEqual([{ mine: 0, ...outside }]);
    expect(look()).toEqual(outside);
    expect(snapshot(db)).toEqual(live);
    other.close();
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

  it('a batch of uses is written coalesced: one write per roll-up (activity feed) and per key (keys list), whatever its size', async () => {
    await read.runner.stop();
    const head = await store.headPosition();
    const [keyId] = (await read.keys.list('acme', 'alice')).map((k) => k.keyId);
    const use = (n: number, tool: string) => ({ eventId: `burst-${n}`, type: 'KeyUsed', data: {
      actorUserId: 'alice', actorName: 'ALICE', companyId: 'acme', keyId, correlationId: `b${n}`, at: `2026-08-08T12:00:${String(n % 60).padStart(2, '0')}.000Z`,
      tool, outcome: 'ok', client: { name: 'claude-code', version: '2.1' }, remoteAddress: null, requestId: `b${n}` } });
    await store.appendToStream(`usage-${keyId}`, Array.from({ length: 60 }, (_, n) => use(n, n % 6 === 0 ? 'list_api_keys' : 'whoami')), 'any');
    const events = store.readAllSync({ after: head, maxCount: 1000 });
    expect(events).toHaveLength(60);
    const changes = db.prepare('SELECT total_changes()').pluck();
    const writesOf = (name: string) => {
      const projection = read.runner.projections.find((p) => p.name === name)!;
      const before = changes.get() as number;
      db.transaction(() => projection.apply(events, db))();
      return (changes.get() as number) - before;
    };
    expect(writesOf(ACTIVITY_TABLE)).toBe(2);
    expect(writesOf(KEYS_LIST_TABLE)).toBe(1);
    // Delivered again: nothing written.
    expect(writesOf(ACTIVITY_TABLE)).toBe(0);
    const feed = await read.activity.query({ companyId: 'acme', visibleToOwner: null, keyId, limit: 2 });
    expect(feed.map((e) => [e.tool, e.count, e.firstAt, e.lastAt])).toEqual([
      ['whoami', 50, '2026-08-08T12:00:01.000Z', '2026-08-08T12:00:59.000Z'],
      ['list_api_keys', 10, '2026-08-08T12:00:00.000Z', '2026-08-08T12:00:54.000Z'],
    ]);
  });

  it('a file with the feed of an earlier version (activity_v1): activity_v2 is built from the log at start, v1 is left as it was', async () => {
    const live = snapshot(db);
    await read.runner.stop();
    const head = await store.headPosition();
    // A file of before v2: activity_v1 (here as it was before roll-ups: one row per event) with its checkpoint at
    // the head, and no activity_v2.
    db.exec(`DROP TABLE ${ACTIVITY_TABLE}; DROP TABLE ${ACTIVITY_KEYS_TABLE};
      CREATE TABLE activity_v1 (position INTEGER PRIMARY KEY, event_id TEXT NOT NULL, company_id TEXT NOT NULL, type TEXT NOT NULL,
        key_id TEXT NOT NULL, key_label TEXT, key_owner_user_id TEXT NOT NULL, actor_user_id TEXT NOT NULL, actor_name TEXT NOT NULL,
        at TEXT NOT NULL, detail TEXT NOT NULL);
      INSERT INTO activity_v1 VALUES (1, 'e', 'acme', 'KeyUsed', 'k', NULL, 'alice', 'alice', 'A', '2026-01-01T00:00:00.000Z', 'Used an API key: ok');`);
    db.prepare('UPDATE projection_checkpoints SET name = ? WHERE name = ?').run('activity_v1', ACTIVITY_TABLE);
    const again = embeddedReadSide(db, store);
    again.runner.catchUp();
    expect(snapshot(db)).toEqual(live);
    expect(again.runner.status().projections.map((p) => p.checkpoint)).toEqual([head, head, head]);
    expect(db.prepare('SELECT COUNT(*) FROM activity_v1').pluck().get()).toBe(1);
  });

  it('keeps each checkpoint in the file, so a restart resumes where it stopped', async () => {
    await read.runner.stop();
    const head = await store.headPosition();
    const again = embeddedReadSide(db, store);
    expect(again.runner.status().projections.map((p) => p.checkpoint)).toEqual([head, head, head]);
  });
});
