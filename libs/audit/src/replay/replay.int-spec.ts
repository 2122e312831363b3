import { mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqlite, SqliteEventStore, sqliteFileIn, type SqliteDb } from '#event-store';
import { DEFAULT_KEY_POLICY, KeyringRepository, type Actor, type KeyCommand } from '#keys';
import { embeddedReadSide } from '#projections';
import { formatReplayReport } from './format-replay.js';
import type { ReplayDifference, ReplayReport } from './replay-report.js';
import { replayEmbedded } from './sqlite-replay.js';

const actor = (userId: string, companyId: string, role: 'root' | 'user' = 'user'): Actor => ({
  userId, name: userId.toUpperCase(), companyId, role, permissions: ['clients:read'],
});

type Command = KeyCommand extends infer K ? (K extends KeyCommand ? Omit<K, 'now' | 'correlationId'> : never) : never;

/**
 * A log written through the real decider (KeyringRepository), every event type, over two companies, with uses
 * rolled up across two live passes: `settle` runs the live projections between writes, as a server would.
 */
const writeHistory = async (repo: KeyringRepository, store: SqliteEventStore, settle: () => void) => {
  let t = Date.parse('2026-05-10T12:00:00Z');
  const at = () => new Date((t += 1000));
  const run = (company: string, c: Command) => repo.execute(company, { ...c, now: at(), correlationId: `c-${t}` } as KeyCommand);
  const ids: string[] = [];
  for (const [company, users] of [['acme', ['alice', 'bob']], ['globex', ['carol']]] as const) {
    for (const user of users) {
      for (let i = 0; i < 3; i++) {
        const keyId = `${user.padEnd(9, 'x')}${i}${company[0]}K`.slice(0, 12);
        const a = actor(user, company);
        await run(company, { type: 'AcknowledgeNotice', actor: a, acknowledgementId: `ack-${keyId}`, keyId, noticeVersion: 'v1' });
        await run(company, { type: 'MintKey', actor: a, acknowledgementId: `ack-${keyId}`, label: `key ${i}`, keyId, prefix: `kg_${keyId}`, verifier: `$argon2id$fake-${keyId}` });
        ids.push(keyId);
      }
    }
  }
  settle();
  const keyId = ids[0];
  const minute = at().toISOString().slice(0, 17);
  const use = (n: number, tool = 'whoami', outcome = 'ok') => ({ eventId: `use-${n}`, type: 'KeyUsed', data: {
    actorUserId: 'alice', actorName: 'ALICE', companyId: 'acme', keyId, correlationId: `r${n}`, at: `${minute}${String(10 + n).padStart(2, '0')}.000Z`,
    tool, outcome, client: { name: 'claude-code', version: '2.1' }, remoteAddress: '127.0.0.1', requestId: `r${n}` } });
  await store.appendToStream(`usage-${keyId}`, [use(1), use(2, 'whoami', 'error'), use(3)], 'any');
  settle();
  await store.appendToStream(`usage-${keyId}`, [use(4), use(5, 'list_api_keys'), use(6, 'whoami', 'denied')], 'any');
  const root = actor('root', 'acme', 'root');
  await run('acme', { type: 'RevokeKey', actor: root, keyId: ids[1] });
  await run('acme', { type: 'DeleteKey', actor: root, keyId: ids[1] });
  t += DEFAULT_KEY_POLICY.keyTtlMs;
  await run('acme', { type: 'ExpireKey', companyId: 'acme', keyId: ids[2] });
  settle();
  return { ids, run, root };
};

const tableOf = (report: ReplayReport, table: string) => {
  const found = report.projections.flatMap((p) => p.tables).find((t) => t.table === table);
  if (!found) throw new Error(`no table ${table} in the report`);
  return found;
};

describe('audit replay (embedded, a real SQLite file)', () => {
  let dir: string;
  let db: SqliteDb;
  let store: SqliteEventStore;
  let read: ReturnType<typeof embeddedReadSide>;
  let history: Awaited<ReturnType<typeof writeHistory>>;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'keygate-replay-spec-'));
    db = openSqlite(sqliteFileIn(dir));
    store = new SqliteEventStore(db);
    read = embeddedReadSide(db, store);
    history = await writeHistory(new KeyringRepository(store, DEFAULT_KEY_POLICY), store, () => read.runner.catchUp());
  });

  afterEach(async () => {
    await store.close();
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('finds no difference on an untouched store, having compared every table at the head, and leaves no scratch file', async () => {
    const scratchDir = join(dir, 'scratch');
    mkdirSync(scratchDir);
    const head = await store.headPosition();

    const report = await replayEmbedded(db, { scratchDir });

    expect(report.differences).toBe(0);
    expect(report.projections.map((p) => [p.projection, p.position])).toEqual([
      ['keys_list_v2', head],
      ['activity_v2', head],
      ['key_lookup_v2', head],
    ]);
    const tables = report.projections.flatMap((p) => p.tables);
    expect(tables.map((t) => t.table)).toEqual(['keys_list_v2', 'activity_keys_v2', 'activity_v2', 'key_lookup_v2']);
    // Something was compared: as many rows on each side as the live tables hold, and never zero.
    for (const t of tables) {
      const live = db.prepare(`SELECT COUNT(*) FROM ${t.table}`).pluck().get() as number;
      expect(live).toBeGreaterThan(0);
      expect([t.table, t.liveRows, t.replayedRows, t.differences]).toEqual([t.table, live, live, 0]);
    }
    expect(readdirSync(scratchDir)).toEqual([]);
    // The live connection is left as it was: no transaction open, writes go through.
    expect(db.inTransaction).toBe(false);
    await history.run('acme', { type: 'AcknowledgeNotice', actor: actor('erin', 'acme'), acknowledgementId: 'ack-erin', keyId: 'erinxxxxx0aK', noticeVersion: 'v1' });
    expect(formatReplayReport(report).at(-1)).toBe('replay: no difference: the read models are what the log implies');
  });

  it('reports a damaged read model: a changed row by column, a deleted one missing, an inserted one extra, each with its table and key', async () => {
    const [alice0, , , bob0] = history.ids;
    db.prepare(`UPDATE keys_list_v2 SET label = 'tampered' WHERE key_id = ?`).run(alice0);
    db.prepare(`UPDATE keys_list_v2 SET status = 'revoked' WHERE key_id = ?`).run(bob0);
    const deleted = db.prepare(`SELECT position FROM activity_v2 WHERE bucket_id IS NULL AND key_id = ? ORDER BY position LIMIT 1`).pluck().get(bob0) as number;
    db.prepare('DELETE FROM activity_v2 WHERE position = ?').run(deleted);
    db.prepare(
      `INSERT INTO key_lookup_v2 (key_id, company_id, user_id, user_name, creator_role, permissions, verifier, status, expires_at, last_position)
       SELECT 'bogus0000000', company_id, user_id, user_name, creator_role, permissions, verifier, 'active', expires_at, last_position FROM key_lookup_v2 WHERE key_id = ?`,
    ).run(alice0);

    const report = await replayEmbedded(db);

    expect(report.differences).toBe(4);
    // In key order: alice's key before bob's.
    expect(alice0 < bob0).toBe(true);
    expect(tableOf(report, 'keys_list_v2').shown).toEqual<ReplayDifference[]>([
      { kind: 'changed', key: { key_id: alice0 }, columns: [{ column: 'label', live: 'tampered', replayed: 'key 0' }] },
      { kind: 'changed', key: { key_id: bob0 }, columns: [{ column: 'status', live: 'revoked', replayed: 'active' }] },
    ]);
    expect(tableOf(report, 'activity_v2').shown).toEqual([{ kind: 'missing-in-live', key: { position: deleted } }]);
    expect(tableOf(report, 'key_lookup_v2').shown).toEqual([{ kind: 'extra-in-live', key: { key_id: 'bogus0000000' } }]);
    expect(tableOf(report, 'activity_keys_v2').differences).toBe(0);

    const text = formatReplayReport(report).join('\n');
    expect(text).toContain('keys_list_v2: 9 rows replayed, 9 live, 2 differences');
    expect(text).toContain(`keys_list_v2 key_id="${alice0}": label: live "tampered" vs replayed "key 0"`);
    expect(text).toContain(`activity_v2 position=${deleted}: missing in live`);
    expect(text).toContain('key_lookup_v2 key_id="bogus0000000": extra in live');
    expect(text).toContain('replay: 4 difference(s)');
  });

  it('caps the differences it keeps per table, the count staying exact', async () => {
    const rows = db.prepare(`UPDATE activity_v2 SET detail = detail || ' (edited)'`).run().changes;
    expect(rows).toBeGreaterThan(3);

    const report = await replayEmbedded(db, { maxShown: 3 });

    const activity = tableOf(report, 'activity_v2');
    expect([activity.differences, activity.shown.length, report.differences]).toEqual([rows, 3, rows]);
    expect(formatReplayReport(report)).toContain(`activity_v2: … and ${rows - 3} more difference(s)`);
  });

  it('does not report a read model that is behind the log: each is compared at its own checkpoint', async () => {
    const before = await store.headPosition();
    // Past every checkpoint: a key minted, no projection run.
    const a = actor('dave', 'acme');
    const keyId = 'davexxxxx0aK';
    await history.run('acme', { type: 'AcknowledgeNotice', actor: a, acknowledgementId: 'ack-dave', keyId, noticeVersion: 'v1' });
    await history.run('acme', { type: 'MintKey', actor: a, acknowledgementId: 'ack-dave', label: 'late', keyId, prefix: `kg_${keyId}`, verifier: `$argon2id$fake-${keyId}` });
    const middle = await store.headPosition();
    // The feed alone caught up to `middle`: the projections now stand at two positions.
    read.runner.rebuildMany(['activity_v2']);
    await history.run('acme', { type: 'RevokeKey', actor: history.root, keyId });
    expect(await store.headPosition()).toBeGreaterThan(middle);
    expect(middle).toBeGreaterThan(before);

    const report = await replayEmbedded(db);

    expect(report.projections.map((p) => [p.projection, p.position])).toEqual([
      ['keys_list_v2', before],
      ['activity_v2', middle],
      ['key_lookup_v2', before],
    ]);
    expect(report.differences).toBe(0);
    // The feed was replayed past `before`: the late key's entries are in both.
    expect(tableOf(report, 'activity_v2').replayedRows).toBeGreaterThan(db.prepare('SELECT COUNT(*) FROM activity_v2 WHERE position <= ?').pluck().get(before) as number);
  });

  it('reports a read-model table the live file lacks, and every row the log implies for it', async () => {
    const rows = db.prepare('SELECT COUNT(*) FROM key_lookup_v2').pluck().get() as number;
    db.exec('DROP TABLE key_lookup_v2');

    const report = await replayEmbedded(db);

    const lookup = tableOf(report, 'key_lookup_v2');
    expect([lookup.liveRows, lookup.replayedRows, lookup.differences, report.differences]).toEqual([0, rows, rows + 1, rows + 1]);
    expect(lookup.shown[0]).toEqual({ kind: 'schema', detail: 'table missing in live' });
    expect(lookup.shown.slice(1).every((d) => d.kind === 'missing-in-live')).toBe(true);
  });
});
