import { jest } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqlite, SqliteEventStore, sqliteFileIn, type NewEvent, type SqliteDb } from '#event-store';
import { ACTIVITY_KEYS_TABLE, ACTIVITY_TABLE, ActivityFeedProjection } from '../activity-feed/activity-feed.projection.sqlite.js';
import { bucketIdOf } from '../activity-feed/activity-feed.rules.js';
import { KeyLookupProjection } from '../key-lookup/key-lookup.projection.sqlite.js';
import { KeysListProjection } from '../keys-list/keys-list.projection.sqlite.js';
import type { SqliteProjection } from '../projection.js';
import { INDEX_BUILD_CACHE_KIB, REBUILD_CACHE_KIB, SqliteProjectionRunner } from './sqlite-projection-runner.js';

/**
 * A rebuild folds the log in memory (each projection's bulkLoad) where the live side applies it batch by batch,
 * reading and rewriting rows by key. Both must leave the same rows: checked on a random log full of the cases
 * where they could part (uses across batches and out of order, roll-ups written then used again, status events
 * out of order or for keys never minted, a mint replayed, uses of unknown keys, times that are not ISO; and issue
 * 15's: suspensions and resumes out of turn, rotations and their mints for another owner, expiry warnings in any
 * order, revocations with reasons).
 */

const TABLES = ['keys_list_v2', 'key_lookup_v2', ACTIVITY_TABLE, ACTIVITY_KEYS_TABLE];
const tablesOf = (db: SqliteDb) => Object.fromEntries(TABLES.map((t) => [t, db.prepare(`SELECT * FROM ${t} ORDER BY 1`).all()]));

/** mulberry32: a log that is random but the same on every run. */
const prng = (seed: number) => {
  let a = seed >>> 0;
  return (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
};

/**
 * `usesBeforeMint`: a use may name a key minted later in the log. The application never writes one (the guard
 * admits minted keys only), and the keys list's rule for it depends on batches (a use counts if its key is
 * minted by the end of the use's batch), so the live side and a rebuild may differ there: such a log is compared
 * with a rebuild through apply() over the same batches.
 */
const randomLog = (count: number, seed: number, usesBeforeMint: boolean): { streamId: string; event: NewEvent }[] => {
  const random = prng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)];
  const keyIds = Array.from({ length: 24 }, (_, i) => `key${i}`);
  const minted = new Set<string>();
  let replacement: string | null = null;
  let clock = Date.parse('2026-05-10T12:00:00Z');
  const log: { streamId: string; event: NewEvent }[] = [];
  for (let n = 0; n < count; n++) {
    // Mostly forward, a few seconds at a time (dozens of events per minute), sometimes back (a late use).
    clock += random() < 0.05 ? -90_000 : Math.floor(random() * 5_000);
    const at = random() < 0.02 ? pick(['yesterday', '2026-05-10T12:00:00Z', 'é']) : new Date(clock).toISOString();
    const roll = random();
    // Without usesBeforeMint, a use names a minted key or one never minted ("ghost…"). Most uses go to a few busy
    // keys, so roll-ups grow over many events, across batches and past a short horizon.
    const busy = random() < 0.7 ? keyIds.slice(0, 3) : keyIds;
    const keyId = roll < 0.55 && !usesBeforeMint ? pick([...busy.filter((k) => minted.has(k)), 'ghost1']) : pick(busy);
    const actorUserId = pick(['alice', 'bob']);
    const context = { actorUserId, actorName: actorUserId.toUpperCase(), companyId: 'acme', keyId, correlationId: `c${n}`, at };
    const [type, data]: [string, Record<string, unknown>] =
      roll < 0.55
        ? ['KeyUsed', {
            ...context, tool: pick(['whoami', 'whoami', 'list_api_keys', null]), outcome: pick(['ok', 'ok', 'error', 'denied', 'odd']),
            client: random() < 0.8 ? { name: 'claude-code', version: '2.1' } : { name: pick(['cursor', null]), version: null }, remoteAddress: null, requestId: `r${n}`,
          }]
        : roll < 0.62
          ? ['KeyAcknowledged', { ...context, acknowledgementId: `a${n}`, noticeVersion: 'v1' }]
          : roll < 0.74
            ? ['KeyMinted', {
                ...context, acknowledgementId: `a${n}`, label: pick(['laptop', 'ci', 'étiquette']), prefix: `kg_${keyId}`,
                verifier: `$argon2id$fake-${n}`, permissions: random() < 0.5 ? [] : ['clients:read'],
                creatorRole: pick(['root', 'user']), expiresAt: new Date(clock + 86_400_000).toISOString(),
                // A rotation's new key, sometimes minted by a root user for the old key's owner.
                ...(random() < 0.3 ? { rotatedFrom: pick(keyIds), ...(random() < 0.5 ? { owner: { userId: 'carol', name: 'CAROL' } } : {}) } : {}),
              }]
            : roll < 0.78
              // Overlaps ending before, at or after the key's expiry (a day after its mint, roughly).
              ? ['KeyRotated', { ...context, rotatedTo: pick(keyIds), overlapEndsAt: new Date(clock + pick([0, 3_600_000, 86_400_000, 172_800_000])).toISOString() }]
              : roll < 0.85
                ? ['KeySuspended', context]
                : roll < 0.88
                  ? ['KeyResumed', context]
                  : roll < 0.91
                    ? ['KeyExpiring', { ...context, expiresAt: new Date(clock + 86_400_000).toISOString(), daysBefore: pick([14, 7, 1]) }]
                    : roll < 0.94
                      // Often the newest rotation's replacement, soon after: its predecessor may still work then.
                      ? ['KeyRevoked', {
                          ...context, ...(replacement !== null && random() < 0.5 ? { keyId: replacement } : {}),
                          ...(random() < 0.5 ? {} : { reason: pick(['rotated', 'offboarded']) }),
                        }]
                      : roll < 0.97
                        ? ['KeyExpired', { ...context, expiresAt: at }]
                        : ['KeyDeleted', context];
    if (type === 'KeyMinted') minted.add(keyId);
    if (type === 'KeyRotated') replacement = data.rotatedTo as string;
    const streamId = type === 'KeyUsed' ? 'usage-acme' : 'keyring-acme';
    log.push({ streamId, event: { eventId: `e${n}`, type, data, metadata: {} } });
  }
  return log;
};

/** The per-key rows hold a rotation, a revocation reason, an expiry warning and a rotated mint: all of them compared. */
const expectEveryKindOfChange = (tables: ReturnType<typeof tablesOf>) => {
  const keys = tables.keys_list_v2 as Record<string, unknown>[];
  for (const column of ['rotated_to', 'overlap_ends_at', 'revocation_reason', 'expiry_warned_days_before', 'rotated_from']) {
    expect(keys.some((k) => k[column] !== null)).toBe(true);
  }
  expect(keys.some((k) => k.user_id === 'carol')).toBe(true);
};

describe('a rebuild (in-memory fold) leaves what the live projections leave', () => {
  let dir: string;
  let db: SqliteDb;
  let store: SqliteEventStore;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'keygate-bulk-'));
    db = openSqlite(sqliteFileIn(dir));
    // Setup speed only (thousands of single-event appends): what is compared is written the same either way.
    db.pragma('synchronous = OFF');
    store = new SqliteEventStore(db);
  });

  afterEach(async () => {
    await store.close();
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const runnerWith = (bucketHorizon: number) => {
    const projections = [new KeysListProjection(), new ActivityFeedProjection({ bucketHorizon }), new KeyLookupProjection()];
    return { projections, runner: new SqliteProjectionRunner(db, store, projections) };
  };
  const append = async (log: { streamId: string; event: NewEvent }[]) => {
    for (const { streamId, event } of log) await store.appendToStream(streamId, [event], 'any');
  };
  const horizons = [
    ['roll-ups held until the end', 100_000, 1],
    ['roll-ups written after 3 positions without a use, then read back when used again', 3, 2],
    ['every roll-up written at once', 0, 3],
  ] as const;

  it.each(horizons)('%s', async (_what, bucketHorizon, seed) => {
    const { projections, runner } = runnerWith(bucketHorizon);
    // 1. Live: the log appended in random slices, each applied as the live side does (batches of any size).
    const random = prng(seed);
    const log = randomLog(4500, seed, false);
    // A rotated key whose replacement died while it still worked no longer names it (key-status.ts's killsKey): seen
    // on the way (a later rotation of the same key may name another by the end).
    const replacementDied = db.prepare('SELECT COUNT(*) FROM keys_list_v2 WHERE overlap_ends_at IS NOT NULL AND rotated_to IS NULL').pluck();
    let diedSeen = 0;
    for (let i = 0; i < log.length; ) {
      await append(log.slice(i, (i += 1 + Math.floor(random() * 60))));
      runner.catchUp();
      diedSeen += replacementDied.get() as number;
    }
    expect(diedSeen).toBeGreaterThan(0);
    const live = tablesOf(db);
    const activity = live[ACTIVITY_TABLE] as { count: number | null; position: number; first_position: number | null }[];
    expect(activity.length).toBeGreaterThan(500);
    // Roll-ups with uses on both sides of a rebuild batch's end (REBUILD_BATCH, 2000 events): with a short horizon
    // they are written at the first batch's end and read back in the next.
    const rollUps = activity.filter((row) => (row.count ?? 0) > 1);
    const across = rollUps.filter((row) => [2000, 4000].some((end) => row.first_position! <= end - 10 && row.position > end));
    expect(across.length).toBeGreaterThan(0);
    expect((live.keys_list_v2 as { last_used_at: string | null }[]).some((row) => row.last_used_at !== null)).toBe(true);
    expectEveryKindOfChange(live);

    // 2. Rebuilt from zero through each projection's fold.
    const bulkLoads = projections.map((p) => jest.spyOn(p, 'bulkLoad'));
    // An error in the fold would roll it back and rebuild through apply() (isolating): that must not happen here.
    const applies = projections.map((p) => jest.spyOn(p, 'apply'));
    runner.rebuildAll();
    for (const spy of bulkLoads) expect(spy).toHaveBeenCalledTimes(1);
    for (const spy of applies) expect(spy).not.toHaveBeenCalled();
    expect(tablesOf(db)).toEqual(live);
    // A roll-up's row key is its minute, then its id (inserted near the end of the UNIQUE index); its id, what the
    // API answers, is bucketIdOf of what it groups by, as in activity_v1.
    const keyed = db
      .prepare(`SELECT event_id AS id, bucket_id AS rowKey, company_id, key_id, actor_user_id, tool, client_name, client_version, minute
                FROM ${ACTIVITY_TABLE} WHERE bucket_id IS NOT NULL`)
      .all() as Record<string, string | null>[];
    expect(keyed.length).toBeGreaterThan(100);
    for (const { id, rowKey, ...b } of keyed) {
      expect(id).toBe(bucketIdOf(JSON.stringify([b.company_id, b.key_id, b.actor_user_id, b.tool, b.client_name, b.client_version, b.minute])));
      expect(rowKey).toBe(`${b.minute}|${id}`);
    }
  });

  it.each(horizons)('uses before their mint too, against a rebuild through apply(): %s', async (_what, bucketHorizon, seed) => {
    const { projections, runner } = runnerWith(bucketHorizon);
    await append(randomLog(3000, seed + 10, true));
    // 1. Through apply(), batch by batch (the fold taken away).
    for (const p of projections) Object.assign(p, { bulkLoad: undefined });
    runner.rebuildAll();
    const applied = tablesOf(db);
    expect((applied.keys_list_v2 as { last_used_at: string | null }[]).some((row) => row.last_used_at !== null)).toBe(true);
    // 2. Through the fold, the same batches.
    for (const p of projections) delete (p as { bulkLoad?: unknown }).bulkLoad;
    const applies = projections.map((p) => jest.spyOn(p, 'apply'));
    runner.rebuildAll();
    for (const spy of applies) expect(spy).not.toHaveBeenCalled();
    expect(tablesOf(db)).toEqual(applied);
  });

  it('folds with the large page cache, creates the secondary indexes with the small one (short sort runs), then gives the cache back', async () => {
    const { projections, runner } = runnerWith(5);
    await append(randomLog(600, 5, false));
    const before = db.pragma('cache_size', { simple: true });
    const cacheAt = new Map<string, unknown>();
    const exec = db.exec.bind(db);
    jest.spyOn(db, 'exec').mockImplementation((sql: string) => {
      const created = /^CREATE INDEX IF NOT EXISTS (\w+)/.exec(sql);
      if (created) cacheAt.set(created[1], db.pragma('cache_size', { simple: true }));
      return exec(sql);
    });
    const bulkLoads = (projections as SqliteProjection[]).map((p) => {
      const original = p.bulkLoad!.bind(p);
      return jest.spyOn(p, 'bulkLoad').mockImplementation((d: SqliteDb) => {
        cacheAt.set(`fold of ${p.name}`, d.pragma('cache_size', { simple: true }));
        return original(d);
      });
    });
    runner.rebuildAll();
    const indexes = projections.flatMap((p) => p.secondaryIndexes ?? []).map((i) => i.name);
    expect(indexes.length).toBeGreaterThan(0);
    expect(Object.fromEntries(cacheAt)).toEqual({
      ...Object.fromEntries(projections.map((p) => [`fold of ${p.name}`, -REBUILD_CACHE_KIB])),
      ...Object.fromEntries(indexes.map((name) => [name, -INDEX_BUILD_CACHE_KIB])),
    });
    for (const spy of bulkLoads) expect(spy).toHaveBeenCalledTimes(1);
    expect(db.pragma('cache_size', { simple: true })).toBe(before);
  });

  it('a rebuild up to a position folds only the events up to it, at every hundredth position', async () => {
    const { runner } = runnerWith(5);
    const log = randomLog(1200, 4, false);
    // The live side's rows every 100 events (appended one by one: the positions are the log's indexes + 1).
    const upTo = new Map<number, ReturnType<typeof tablesOf>>();
    for (let n = 100; n <= 700; n += 100) {
      await append(log.slice(n - 100, n));
      runner.catchUp();
      upTo.set(n, tablesOf(db));
    }
    await append(log.slice(700));
    for (const [n, tables] of upTo) {
      runner.rebuildMany(runner.names, { upTo: n });
      expect(tablesOf(db)).toEqual(tables);
    }
    // Keys live in every status along the way, suspended ones too, in both per-key tables.
    const statuses = (table: string) => new Set([...upTo.values()].flatMap((t) => (t[table] as { status: string }[]).map((k) => k.status)));
    expect(statuses('keys_list_v2')).toEqual(new Set(['active', 'suspended', 'revoked', 'expired', 'deleted']));
    expect(statuses('key_lookup_v2')).toEqual(new Set(['active', 'suspended', 'revoked', 'expired', 'deleted']));
  });
});
