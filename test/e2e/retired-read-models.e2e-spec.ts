import { execFile } from 'node:child_process';
import { rmSync } from 'node:fs';
import { promisify } from 'node:util';
import { openSqlite, sqliteFileIn, SqliteEventStore } from '#event-store';
import { dropRetiredReadModels, embeddedReadSide, retiredReadModels } from '#projections';
import { JWT_SECRET, newDataDir } from '#test-support/keygate-harness';

const run = promisify(execFile);

const ACKNOWLEDGED = {
  actorUserId: 'alice', actorName: 'Alice', companyId: 'acme', keyId: 'Ab3dE5gH7jK9', correlationId: 'c1',
  at: '2026-12-01T12:00:00.000Z', acknowledgementId: 'a1', noticeVersion: 'v1',
};

const tableNames = (file: string): string[] => {
  const db = openSqlite(file);
  try {
    return db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").pluck().all() as string[];
  } finally {
    db.close();
  }
};

describe('npm run projections:retired: the read models an upgrade left unused, listed, then dropped', () => {
  const dataDir = newDataDir();
  const file = sqliteFileIn(dataDir);
  const cli = (...args: string[]) =>
    run('node', ['dist/apps/api/src/cli/retired-read-models.js', ...args], {
      env: { ...process.env, KEYGATE_DATA_DIR: dataDir, KEYGATE_JWT_SECRET: JWT_SECRET, LOG_LEVEL: 'silent' },
    });

  beforeAll(async () => {
    // A file of an older version, with this version's tables created but not built yet (an event appended after),
    // and the v1 tables, with rows, checkpoints and a parked event under their names.
    const db = openSqlite(file);
    const store = new SqliteEventStore(db);
    embeddedReadSide(db, store).runner.catchUp();
    await store.appendToStream('keyring-acme', [{ eventId: 'e1', type: 'KeyAcknowledged', data: ACKNOWLEDGED }], 'any');
    await store.close();
    db.exec(`
      CREATE TABLE keys_list_v1 (key_id TEXT PRIMARY KEY, label TEXT);
      INSERT INTO keys_list_v1 VALUES ('k1', 'laptop'), ('k2', 'ci');
      CREATE INDEX keys_list_v1_by_label ON keys_list_v1 (label);
      CREATE TABLE activity_v1 (position INTEGER PRIMARY KEY, detail TEXT);
      INSERT INTO activity_v1 VALUES (1, 'used');
      CREATE TABLE activity_keys_v1 (key_id TEXT PRIMARY KEY);
      INSERT INTO projection_checkpoints (name, position) VALUES ('keys_list_v1', 7), ('activity_v1', 7);
      INSERT INTO projection_parked (projection, position, event_id, type, error, parked_at)
        VALUES ('activity_v1', 3, 'e3', 'KeyUsed', 'bad', '2026-12-01T00:00:00.000Z');
    `);
    db.close();
  });
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('lists each with its tables, rows, checkpoint and parked events, and changes nothing', async () => {
    const before = tableNames(file);
    const { stdout } = await cli();
    expect(stdout).toContain('keys_list_v1: keys_list_v1 (2 rows), checkpoint at 7');
    expect(stdout).toContain('activity_v1: activity_v1 (1 rows), activity_keys_v1 (0 rows), checkpoint at 7, 1 parked or skipped event(s)');
    expect(stdout).not.toContain('key_lookup_v1');
    expect(stdout).toContain('(not droppable yet: start this version once, it builds keys_list_v2 from the log)');
    expect(stdout).not.toContain('Drop them with');
    expect(tableNames(file)).toEqual(before);
  });

  it('--drop is refused, dropping nothing, while this version has not built the successors (no checkpoint yet)', async () => {
    const before = tableNames(file);
    await expect(cli('--drop')).rejects.toMatchObject({
      code: 1,
      stderr: expect.stringContaining('refusing to drop keys_list_v1 (keys_list_v2 not built), activity_v1 (activity_v2 not built)'),
    });
    expect(tableNames(file)).toEqual(before);
  });

  it('--drop drops them with their checkpoints and parks, in one go; the current read models keep theirs', async () => {
    // This version's first start builds its read models from the log (checkpoints saved).
    const built = openSqlite(file);
    embeddedReadSide(built, new SqliteEventStore(built)).runner.catchUp();
    // And a park of its own, which the drop leaves alone.
    built.exec("INSERT INTO projection_parked (projection, position, event_id, type, error, parked_at) VALUES ('activity_v2', 3, 'e3', 'KeyUsed', 'bad', '2026-12-01T00:00:00.000Z')");
    built.close();
    expect((await cli()).stdout).toContain('Drop them with: npm run projections:retired -- --drop');
    const { stdout } = await cli('--drop');
    expect(stdout).toContain('dropped keys_list_v1: keys_list_v1, checkpoint at 7');
    expect(stdout).toContain('dropped activity_v1: activity_v1, activity_keys_v1, checkpoint at 7, 1 parked or skipped event(s)');
    const tables = tableNames(file);
    expect(tables).not.toEqual(expect.arrayContaining(['keys_list_v1']));
    expect(tables.filter((t) => t.endsWith('_v1'))).toEqual([]);
    expect(tables).toEqual(expect.arrayContaining(['keys_list_v2', 'key_lookup_v2', 'activity_v2', 'activity_keys_v2', 'events']));
    const db = openSqlite(file);
    try {
      expect(db.prepare('SELECT name FROM projection_checkpoints ORDER BY name').pluck().all()).not.toEqual(
        expect.arrayContaining(['keys_list_v1']),
      );
      expect(db.prepare("SELECT position FROM projection_checkpoints WHERE name = 'keys_list_v2'").pluck().get()).toBeDefined();
      expect(db.prepare('SELECT projection FROM projection_parked').pluck().all()).toEqual(['activity_v2']);
      expect(db.prepare("SELECT COUNT(*) FROM sqlite_master WHERE name = 'keys_list_v1_by_label'").pluck().get()).toBe(0);
    } finally {
      db.close();
    }
    expect((await cli()).stdout).toContain('No retired read model in this file.');
    expect((await cli('--drop')).stdout).toContain('nothing dropped');
  });

  it('refuses to drop a table a current projection writes, dropping nothing', () => {
    const db = openSqlite(file);
    try {
      db.exec('CREATE TABLE key_lookup_v1 (key_id TEXT)');
      expect(() => dropRetiredReadModels(db, ['key_lookup_v1', 'keys_list_v2'])).toThrow(/refusing to drop key_lookup_v1/);
      expect(retiredReadModels(db).map((r) => r.name)).toEqual(['key_lookup_v1']);
    } finally {
      db.close();
    }
  });

  it('on an empty log, a successor whose table exists counts as built (no checkpoint is ever saved there)', () => {
    const dir = newDataDir();
    const db = openSqlite(sqliteFileIn(dir));
    try {
      embeddedReadSide(db, new SqliteEventStore(db)).runner.catchUp();
      db.exec('CREATE TABLE activity_v1 (position INTEGER PRIMARY KEY)');
      expect(retiredReadModels(db)).toEqual([{ name: 'activity_v1', successor: 'activity_v2', tables: [{ name: 'activity_v1', rows: 0 }], checkpoint: null, parked: 0, succeeded: true }]);
      expect(dropRetiredReadModels(db, []).map((r) => r.name)).toEqual(['activity_v1']);
    } finally {
      db.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('an unknown argument is a usage error (exit 2)', async () => {
    await expect(cli('--dorp')).rejects.toMatchObject({ code: 2, stderr: expect.stringContaining('unknown argument(s): --dorp') });
  });
});
